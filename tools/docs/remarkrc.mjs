// remark configuration of the docs link check (tools/docs/check-links.sh): every relative link
// and image in README.md and docs/ must name an existing file, and a #fragment an existing
// heading of that file. http(s) links are not checked (CI has no network).
import remarkValidateLinks from 'remark-validate-links';

export default {
  // repository: false: links are checked as files of this work tree, with no git remote needed.
  plugins: [[remarkValidateLinks, { repository: false }]],
};
