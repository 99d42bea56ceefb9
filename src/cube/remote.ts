import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import { promisify } from "node:util";
import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { ProviderError } from "../core/errors/provider-error.js";

const run = promisify(execFile);
const MAX_ARCHIVE_BYTES = 2 * 1024 ** 3;

/** Options of fetching a cube from a URL: the sha256 of an archive, the git ref, the folder inside. */
export interface RemoteCubeOptions {
  /** Required for archives: the expected sha256 (hex) of the .tar.gz, checked before unpacking. */
  sha256?: string;
  /** For git URLs: the branch or tag to check out (default: the remote's HEAD). */
  ref?: string;
  /** The cube's folder inside the archive or repository, when it is not at the top. */
  subdir?: string;
  fetch?: typeof fetch;
}

/** Where a fetched cube landed; `workDir` is a temporary folder the caller removes. */
export interface FetchedCube {
  workDir: string;
  cubeDir: string;
}

const isArchive = (url: string) => /\.(tar\.gz|tgz)(\?.*)?$/i.test(url);
const isGit = (url: string) => /\.git\/?$/i.test(url) || /^git@|^git:\/\/|^ssh:\/\//i.test(url);

/**
 * Download a cube: a `.tar.gz` (https, http or file URL; sha256 required and checked before
 * anything is unpacked; `tar` itself refuses absolute and `..` member names) or a git repository
 * (`git clone --depth 1`). Arguments go to `tar`/`git` as an argument list, never through a shell.
 */
export async function fetchRemoteCube(url: string, options: RemoteCubeOptions = {}): Promise<FetchedCube> {
  const workDir = mkdtempSync(join(tmpdir(), "memos-remote-"));
  try {
    let root: string;
    if (isArchive(url)) root = await fetchArchive(url, workDir, options);
    else if (isGit(url)) root = await cloneRepo(url, workDir, options);
    else {
      throw new InvalidInputError({
        message: `cannot fetch a cube from ${url}`,
        hint: "give a .tar.gz / .tgz URL (with its sha256) or a git URL ending in .git",
      });
    }
    return { workDir, cubeDir: findCubeDir(root, options.subdir) };
  } catch (error) {
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
}

async function fetchArchive(url: string, workDir: string, options: RemoteCubeOptions): Promise<string> {
  const expected = options.sha256?.trim().toLowerCase();
  if (!expected || !/^[0-9a-f]{64}$/.test(expected)) {
    throw new InvalidInputError({
      message: "a cube archive needs its sha256 (64 hex digits)",
      hint: "pass sha256: the archive's checksum (sha256sum FILE)",
    });
  }
  const get = options.fetch ?? fetch;
  // One retry on a network failure (not an HTTP error): a GET is safe to repeat, and a pooled
  // connection the server closed meanwhile fails the first try for no fault of the URL.
  const response = await get(url)
    .catch(() => get(url))
    .catch((cause: unknown) => {
      throw new ProviderError({
        message: `could not download ${url}: ${(cause as Error).message}`,
        hint: "check the URL and the network",
        cause,
        retryable: true,
      });
    });
  if (!response.ok) {
    throw new ProviderError({
      message: `download of ${url} failed: HTTP ${response.status}`,
      hint: "check the URL",
      status: response.status,
    });
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  if (bytes.length > MAX_ARCHIVE_BYTES)
    throw new InvalidInputError({ message: `${url} is larger than 2 GiB`, hint: "split the cube" });
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== expected) {
    throw new InvalidInputError({
      message: `sha256 mismatch for ${url}: expected ${expected}, got ${actual}`,
      hint: "the archive changed or is corrupt; nothing was unpacked",
    });
  }
  const archive = join(workDir, "cube.tar.gz");
  writeFileSync(archive, bytes);
  const out = join(workDir, "unpacked");
  await run("mkdir", ["-p", out]);
  await run("tar", ["-xzf", archive, "-C", out, "--no-same-owner", "--no-same-permissions"]).catch(
    (cause: unknown) => {
      throw new InvalidInputError({
        message: `${url} is not a valid .tar.gz`,
        hint: "pack the cube with tar -czf",
        cause,
      });
    },
  );
  return out;
}

async function cloneRepo(url: string, workDir: string, options: RemoteCubeOptions): Promise<string> {
  const out = join(workDir, "repo");
  const args = ["clone", "--depth", "1", ...(options.ref ? ["--branch", options.ref] : []), "--", url, out];
  await run("git", args, { env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } }).catch((cause: unknown) => {
    throw new ProviderError({
      message: `git clone of ${url} failed`,
      hint: "check the URL, the ref and your access to it",
      cause,
    });
  });
  return out;
}

/** The folder holding the cube: `subdir`, the root, or the single top-level folder that has one. */
function findCubeDir(root: string, subdir?: string): string {
  const holdsCube = (dir: string) => existsSync(join(dir, "textual_memory.json"));
  if (subdir) {
    const dir = resolve(root, subdir);
    if (!dir.startsWith(root + sep) || !holdsCube(dir)) {
      throw new InvalidInputError({
        message: `no cube in ${subdir}`,
        hint: "subdir must name a folder with textual_memory.json",
      });
    }
    return dir;
  }
  if (holdsCube(root)) return root;
  const children = readdirSync(root)
    .map((n) => join(root, n))
    .filter((p) => statSync(p).isDirectory() && holdsCube(p));
  if (children.length === 1) return children[0] as string;
  throw new InvalidInputError({
    message: children.length
      ? "several cubes found; choose one with subdir"
      : "no textual_memory.json found in the download",
    hint: "a cube directory holds config.json and textual_memory.json",
  });
}
