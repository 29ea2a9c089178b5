/** Typed calls to the VaultQL API; every failure becomes an `ApiError` a view can show. */
import type { Transport } from "./transport";
import type {
  ApiError,
  EvalResult,
  MentionsResponse,
  ParaDashboard,
  QueryResult,
  RelatedResponse,
  ReviewDashboard,
  SearchResponse,
  Status,
  SuggestResponse,
} from "./types";

export type ApiResult<T> =
  | { ok: true; status: number; data: T }
  | { ok: false; status: number; error: ApiError };

export interface Connection {
  serverUrl: string;
  token: string;
}

export class ApiClient {
  constructor(
    private readonly transport: Transport,
    private readonly connection: () => Connection,
  ) {}

  status(): Promise<ApiResult<Status>> {
    return this.get("/api/v1/status");
  }

  health(): Promise<ApiResult<{ status: string; ready: boolean; version?: string; instance?: string }>> {
    return this.get("/api/v1/health");
  }

  query(query: string, origin: string | null): Promise<ApiResult<QueryResult>> {
    const body: Record<string, string> = { query };
    if (origin) body.origin = origin;
    return this.request("POST", "/api/v1/query", body);
  }

  /** One expression (an inline query), with `this` bound to the note at `origin`. */
  evaluate(expression: string, origin: string | null): Promise<ApiResult<EvalResult>> {
    const body: Record<string, string> = { expression };
    if (origin) body.origin = origin;
    return this.request("POST", "/api/v1/eval", body);
  }

  related(path: string): Promise<ApiResult<RelatedResponse>> {
    return this.get("/api/v1/related", { path });
  }

  mentions(path: string): Promise<ApiResult<MentionsResponse>> {
    return this.get("/api/v1/mentions", { path });
  }

  suggestLinks(path: string): Promise<ApiResult<SuggestResponse>> {
    return this.get("/api/v1/suggest-links", { path });
  }

  search(q: string, k = 20): Promise<ApiResult<SearchResponse>> {
    return this.get("/api/v1/search", { q, mode: "hybrid", k: String(k) });
  }

  prioritise(path: string): Promise<ApiResult<{ queued: boolean }>> {
    return this.request("POST", "/api/v1/search/prioritise", { path });
  }

  para(): Promise<ApiResult<ParaDashboard>> {
    return this.get("/api/v1/dashboards/para");
  }

  review(): Promise<ApiResult<ReviewDashboard>> {
    return this.get("/api/v1/dashboards/review");
  }

  private get<T>(path: string, params?: Record<string, string>): Promise<ApiResult<T>> {
    const query = params ? "?" + new URLSearchParams(params).toString() : "";
    return this.request("GET", path + query);
  }

  private async request<T>(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
  ): Promise<ApiResult<T>> {
    const { serverUrl, token } = this.connection();
    const url = serverUrl.replace(/\/+$/, "") + path;
    const headers: Record<string, string> = { Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    let response;
    try {
      response = await this.transport({
        url,
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return {
        ok: false,
        status: 0,
        error: { code: "unreachable", message: `cannot reach the VaultQL server at ${serverUrl} (${why})` },
      };
    }
    let data: unknown;
    try {
      data = JSON.parse(response.text);
    } catch {
      return {
        ok: false,
        status: response.status,
        error: { code: "bad_response", message: `HTTP ${response.status}: ${response.text.slice(0, 300)}` },
      };
    }
    if (response.status >= 200 && response.status < 300) {
      return { ok: true, status: response.status, data: data as T };
    }
    const error = (data as { error?: ApiError } | null)?.error;
    return {
      ok: false,
      status: response.status,
      error: error ?? { code: "http_error", message: `HTTP ${response.status}` },
    };
  }
}
