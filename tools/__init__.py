"""Development tooling that ships with the repository, not with the package."""
