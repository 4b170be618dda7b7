// Container image references: every image the deployment files run must be pinned to an exact
// version (a tag that is not `latest`, or a digest), so that a build or a rollout next month
// runs the same bits as today.

/** Splits `registry/name:tag@digest` into its parts (the tag is after the last ':' of the last path segment). */
export const parseImageRef = (ref) => {
  let rest = String(ref).trim();
  let digest;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, tag, digest };
};

/** A problem, or null when the reference names one exact image. */
export const imagePinProblem = (ref) => {
  if (typeof ref !== 'string' || ref.trim() === '') return 'no image given';
  if (/\$\{?[A-Za-z_]/.test(ref)) return `image "${ref}" is not resolved (a variable is left in it)`;
  const { name, tag, digest } = parseImageRef(ref);
  if (!name) return `image "${ref}" has no name`;
  if (digest !== undefined) {
    return /^sha256:[0-9a-f]{64}$/.test(digest) ? null : `image "${ref}" has a malformed digest`;
  }
  if (tag === undefined || tag === '') return `image "${ref}" has no tag: pin an exact version (e.g. ${name}:1.2.3)`;
  if (tag === 'latest') return `image "${ref}" uses the tag "latest": pin an exact version`;
  // A version tag has at least a major and a minor part (17.6, v3.5.0, 24.21.0-bookworm-slim);
  // a bare major ("17", "3-alpine") moves with every release.
  if (!/^v?\d+\.\d+/.test(tag)) return `image "${ref}": the tag "${tag}" is not an exact version (expected e.g. 1.2.3)`;
  return null;
};
