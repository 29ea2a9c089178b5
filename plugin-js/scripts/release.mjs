// The plugin's release (`make plugin-release`, after `npm run build`): main.js, manifest.json
// and styles.css copied into dist/vaultql-<version>/ and zipped as dist/vaultql-<version>.zip
// (a `vaultql/` folder inside, ready to unpack into a vault's .obsidian/plugins/). The version
// must be the same in manifest.json, versions.json (which maps it to manifest.json's
// minAppVersion) and package.json, or nothing is written and the exit status is 1.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateRawSync } from "node:zlib";

const PLUGIN = join(dirname(fileURLToPath(import.meta.url)), "..");
const FILES = ["main.js", "manifest.json", "styles.css"];

const read = (name) => JSON.parse(readFileSync(join(PLUGIN, name), "utf8"));

function fail(message) {
  console.error(`plugin-release: ${message}`);
  process.exit(1);
}

const manifest = read("manifest.json");
const versions = read("versions.json");
const pkg = read("package.json");
const version = manifest.version;
if (!/^\d+\.\d+\.\d+$/.test(version ?? "")) fail(`manifest.json has no x.y.z version (${version})`);
if (!(version in versions)) fail(`versions.json has no entry for ${version} (manifest.json's version)`);
if (versions[version] !== manifest.minAppVersion) {
  fail(`versions.json maps ${version} to ${versions[version]}, manifest.json's minAppVersion is ${manifest.minAppVersion}`);
}
if (pkg.version !== version) fail(`package.json's version ${pkg.version} is not manifest.json's ${version}`);
for (const file of FILES) {
  if (!existsSync(join(PLUGIN, file))) fail(`${file} is missing (run npm run build first)`);
}
const built = statSync(join(PLUGIN, "main.js"));
if (built.size === 0) fail("main.js is empty");

const dist = join(PLUGIN, "dist");
const folder = join(dist, `${manifest.id}-${version}`);
rmSync(folder, { recursive: true, force: true });
mkdirSync(folder, { recursive: true });
for (const file of FILES) copyFileSync(join(PLUGIN, file), join(folder, file));
const zipPath = join(dist, `${manifest.id}-${version}.zip`);
writeFileSync(
  zipPath,
  zip(FILES.map((file) => ({ name: `${manifest.id}/${file}`, data: readFileSync(join(PLUGIN, file)) }))),
);
console.log(`${folder}/ (${FILES.join(", ")})\n${zipPath}`);

/** A zip archive (deflate), written by hand: Node has zlib but no zip writer. */
function zip(entries) {
  const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (buf) => {
    let c = 0xffffffff;
    for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  // A fixed time (1 January 2024, 00:00) keeps the archive the same for the same files.
  const dosTime = 0;
  const dosDate = ((2024 - 1980) << 9) | (1 << 5) | 1;
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBuf = Buffer.from(name, "utf8");
    const packed = deflateRawSync(data, { level: 9 });
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, nameBuf, packed);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by
    central.writeUInt16LE(20, 6); // version needed
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + packed.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
