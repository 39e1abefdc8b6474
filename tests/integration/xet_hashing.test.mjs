// The hub's Xet chunking and hashing (`spacehub xet-chunks`, hidden) against Hugging Face's own JS
// client code: @huggingface/xetchunk-wasm (chunker, xorb/file/verification hashes), blake3-jit
// (chunk hashes) and gearhash-jit (the gear hash, for a transcription of the spec's chunker).
//
// One known difference: xetchunk-wasm 0.2 ports an older xet-core chunker that can cut at 8128
// bytes, below the 8 KiB minimum, when the first byte hashed after the skip-ahead has a gear table
// entry with zero top bits. xet-core fixed this (#487) and the spec forbids it, so the hub follows
// the spec: where xetchunk-wasm makes such a cut, the two must agree on every chunk before it, and
// the hub must agree with the spec's algorithm everywhere.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import {
  createChunker,
  nextBlock,
  finalize,
  xorbHash,
  fileHash,
  verificationHash,
  hashToHex,
  hexToBytes,
} from "@huggingface/xetchunk-wasm";
import { createKeyed } from "@huggingface/blake3-jit";
import { Hasher as GearHasher } from "gearhash-jit";
import { SPACEHUB_BIN, makeTempDir } from "./harness.mjs";

const MIN_CHUNK = 8 * 1024;
const MAX_CHUNK = 128 * 1024;
const MASK = 0xffff000000000000n;
const DATA_KEY = new Uint8Array([
  102, 151, 245, 119, 91, 149, 80, 222, 49, 53, 203, 172, 165, 151, 24, 28, 157, 228, 33, 16, 155, 235, 43,
  88, 180, 208, 176, 75, 147, 173, 242, 41,
]);

const dir = makeTempDir("spacehub-xet-");

/** Seeded xorshift32 bytes, so a failure reproduces. */
function pseudorandom(n, seed) {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

function inputs() {
  const pattern = pseudorandom(1000, 3);
  const repeated = new Uint8Array(1000 * 2000);
  for (let i = 0; i < 2000; i++) repeated.set(pattern, i * 1000);
  const flipped = pseudorandom(1 << 20, 4);
  flipped[flipped.length >> 1] ^= 0x5a;
  return [
    ["random 3 MB", pseudorandom(3_000_000, 1)],
    ["300 KB of zeros", new Uint8Array(300_000)],
    ["5 KB", pseudorandom(5_000, 2)],
    ["a 1000-byte pattern x 2000", repeated],
    ["1 MB with one byte flipped", flipped],
  ];
}

/** Runs the hub's tool on `data`: its chunk lines and its final line. */
function hubChunks(name, data, extra = []) {
  const file = path.join(dir, name.replace(/[^a-z0-9]+/gi, "_"));
  writeFileSync(file, data);
  const out = execFileSync(SPACEHUB_BIN, ["xet-chunks", file, ...extra], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  const lines = out.trim().split("\n").map((l) => JSON.parse(l));
  return { chunks: lines.slice(0, -1), final: lines.at(-1) };
}

/** The spec's chunker (chunking.md) on gearhash-jit: never a cut before MIN_CHUNK. */
function specLengths(data) {
  const gear = new GearHasher(MASK);
  const lengths = [];
  let start = 0;
  while (start < data.length) {
    gear.resetHash();
    const limit = Math.min(data.length, start + MAX_CHUNK);
    // The hash only remembers 64 bytes, so the first MIN_CHUNK - 65 bytes need not be hashed.
    let pos = Math.min(start + MIN_CHUNK - 65, limit);
    let end = limit; // a forced cut at MAX_CHUNK, or the end of the data
    while (pos < limit) {
      const m = gear.nextMatch(data.subarray(pos, limit));
      if (m === -1) break;
      pos += m;
      if (pos - start >= MIN_CHUNK) {
        end = pos;
        break;
      }
    }
    lengths.push(end - start);
    start = end;
  }
  return lengths;
}

/** xetchunk-wasm's own chunking, fed in uneven pieces. */
function wasmChunks(data) {
  const chunker = createChunker();
  const chunks = [];
  for (let off = 0, step = 777_777; off < data.length; off += step) {
    chunks.push(...nextBlock(chunker, data.subarray(off, off + step)));
  }
  const last = finalize(chunker);
  if (last) chunks.push(last);
  return chunks;
}

/**
 * Walks the hub's chunks and xetchunk-wasm's side by side. From a common offset both must make
 * the same chunk (same length and hash) unless xetchunk-wasm cuts below the minimum there; after
 * such a cut, both go on to the next offset they share.
 */
function compareWithWasm(ours, theirs) {
  let i = 0;
  let j = 0;
  let oi = 0;
  let oj = 0;
  let same = 0;
  let divergences = 0;
  while (i < ours.length && j < theirs.length) {
    if (oi === oj && ours[i].length === theirs[j].length) {
      assert.equal(ours[i].hash, hashToHex(theirs[j].hash), `chunk at ${oi}`);
      oi += ours[i++].length;
      oj += theirs[j++].length;
      same++;
      continue;
    }
    const early = theirs[j].length;
    assert.ok(early >= MIN_CHUNK - 64 && early < MIN_CHUNK, `at ${oj} xetchunk-wasm cut ${early}, the hub ${ours[i].length}`);
    divergences++;
    do {
      if (oi < oj) oi += ours[i++].length;
      else oj += theirs[j++].length;
    } while (oi !== oj);
  }
  assert.equal(i, ours.length);
  assert.equal(j, theirs.length);
  return { same, divergences };
}

function chunkHashHex(bytes) {
  return hashToHex(createKeyed(DATA_KEY).update(bytes).finalize(32));
}

for (const [name, data] of inputs()) {
  test(`xet-chunks agrees with the reference client: ${name}`, () => {
    const { chunks, final } = hubChunks(name, data);
    const lengths = chunks.map((c) => c.length);

    // Boundaries: the spec's algorithm, and contiguous offsets.
    assert.deepEqual(lengths, specLengths(data));
    let offset = 0;
    for (const c of chunks) {
      assert.equal(c.offset, offset);
      offset += c.length;
    }
    assert.equal(final.size, data.length);
    assert.equal(offset, data.length);

    // Each chunk hash is BLAKE3 keyed with DATA_KEY over exactly its bytes.
    for (const c of chunks) {
      assert.equal(c.hash, chunkHashHex(data.subarray(c.offset, c.offset + c.length)), `chunk at ${c.offset}`);
    }

    // The xorb and file hashes of the hub's chunk list, as xetchunk-wasm computes them.
    const refs = chunks.map((c) => ({ hash: hexToBytes(c.hash), length: c.length }));
    assert.equal(final.xorb_hash, hashToHex(xorbHash(refs)));
    assert.equal(final.file_hash, hashToHex(fileHash(refs)));

    // xetchunk-wasm's own chunker: the same chunks, except where it cuts early.
    const theirs = wasmChunks(data);
    const { same, divergences } = compareWithWasm(chunks, theirs);
    assert.ok(same >= chunks.length / 2, `${same} of ${chunks.length} chunks identical`);
    if (divergences === 0) {
      assert.equal(final.xorb_hash, hashToHex(xorbHash(theirs)));
      assert.equal(final.file_hash, hashToHex(fileHash(theirs)));
    }
  });
}

test("xet-chunks prints the verification hash of a chunk range", () => {
  const data = pseudorandom(2_000_000, 9);
  const whole = hubChunks("range", data);
  assert.ok(whole.chunks.length > 8, `${whole.chunks.length} chunks`);
  for (const [a, b] of [
    [0, 1],
    [2, 7],
    [0, whole.chunks.length],
  ]) {
    const { final } = hubChunks("range", data, ["--range", `${a}:${b}`]);
    const hashes = whole.chunks.slice(a, b).map((c) => hexToBytes(c.hash));
    assert.equal(final.verification_hash, hashToHex(verificationHash(hashes)), `${a}:${b}`);
  }
});

test("an edit only changes the chunks around it", () => {
  const data = pseudorandom(1 << 20, 4);
  const before = hubChunks("before", data).chunks;
  data[data.length >> 1] ^= 0x5a;
  const after = hubChunks("after", data).chunks;
  const same = (c) => before.some((b) => b.offset === c.offset && b.hash === c.hash);
  const changed = after.filter((c) => !same(c));
  assert.ok(changed.length >= 1 && changed.length <= 2, `${changed.length} chunks changed`);
});

test("no cut below the minimum where xetchunk-wasm 0.2 makes one", () => {
  // Gear table entry 17 has its top 16 bits zero: hashed first after the skip-ahead (offset 8127),
  // it matches the mask at once.
  const data = pseudorandom(200_000, 5);
  data[MIN_CHUNK - 65] = 17;
  assert.equal(wasmChunks(data)[0].length, MIN_CHUNK - 64);
  const { chunks } = hubChunks("early", data);
  assert.ok(chunks[0].length >= MIN_CHUNK, `first chunk ${chunks[0].length}`);
  assert.deepEqual(chunks.map((c) => c.length), specLengths(data));
});
