/**
 * Why a file operation failed, from Node's error code, in a few words for a one-line CLI message. Reading and
 * writing share the wording except where the code means something different to each (ENOENT).
 */

const COMMON: Readonly<Record<string, string>> = {
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of its path is not a folder',
  ENAMETOOLONG: 'its name is too long',
  ELOOP: 'too many symbolic links',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
};

export function fileProblem(e: unknown, doing: 'read' | 'write'): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return doing === 'read' ? 'no such file' : 'its folder does not exist';
  if (code !== undefined && COMMON[code] !== undefined) return COMMON[code];
  return code ?? (e instanceof Error ? e.message : String(e));
}
