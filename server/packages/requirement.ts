// What may reach pip's command line: a package name (PEP 508), optional
// extras and version specifiers, nothing else. pip gets it as one argv
// element (no shell), but pip itself reads options, paths, URLs and markers
// out of a requirement, so those are refused before pip sees it.

const NAME = "[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?";
/** PEP 440 versions (with `*` for prefix matching, `!` epochs, `+` local labels). */
const VERSION = "[A-Za-z0-9][A-Za-z0-9.*+!_-]*";
const SPEC = `(?:===|==|!=|~=|<=|>=|<|>)${VERSION}`;
const REQUIREMENT = new RegExp(`^${NAME}(?:\\[${NAME}(?:,${NAME})*\\])?(?:${SPEC}(?:,${SPEC})*)?$`);
const PACKAGE_NAME = new RegExp(`^${NAME}$`);
/** pip installs a name ending like an archive from the file of that name, when one exists. */
const ARCHIVE = /\.(whl|zip|tar|tgz|tbz|txz|tlz|tar\.gz|tar\.bz2|tar\.xz|tar\.lz|tar\.lzma)$/i;
export const MAX_REQUIREMENT = 200;
const EXAMPLE = "e.g. requests, requests==2.32.3, requests[socks]>=2,<3";

/** Why `r` is refused, or null when it is a plain requirement. */
export function requirementProblem(r: string): string | null {
  if (r === "") return `a package name is required (${EXAMPLE})`;
  if (r.length > MAX_REQUIREMENT) return `longer than ${MAX_REQUIREMENT} characters`;
  if (r.includes("\0")) return "NUL bytes are not allowed";
  if (/[\r\n]/.test(r)) return "one requirement, on one line";
  if (/\s/.test(r)) return `spaces are not allowed (${EXAMPLE})`;
  if (/[\u0000-\u001f\u007f]/.test(r)) return "control characters are not allowed";
  if (r.startsWith("-")) return "options such as --index-url are not allowed; pip's index comes from the server's environment";
  if (r.includes("://") || r.includes("@")) return "URLs are not allowed; install from the index by name";
  if (r.includes("/") || r.includes("\\") || r.startsWith(".") || r.startsWith("~")) return "paths are not allowed; install from the index by name";
  if (r.includes(";")) return "environment markers (;) are not allowed";
  if (!REQUIREMENT.test(r)) return `not a package name with optional [extras] and version specifiers (${EXAMPLE})`;
  if (ARCHIVE.test(r)) return "a name ending like an archive file (.whl, .zip, .tar.gz) is not allowed";
  return null;
}

/** Why `name` is not a package name to uninstall, or null. */
export function packageNameProblem(name: string): string | null {
  if (!PACKAGE_NAME.test(name) || name.length > MAX_REQUIREMENT) return "a package name (letters, digits, . _ -), without version or extras";
  if (name.toLowerCase() === "pip") return "pip itself stays: without it no package could be installed or removed";
  return null;
}
