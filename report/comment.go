package report

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
)

// The comment size limits of the code review platforms, in characters,
// as each refuses a longer comment:
//
//   - GitHub: 65,536 ("Body is too long (maximum is 65536 characters)",
//     a 422 from the REST API; measured as code points in
//     github.com/dead-claudia/github-limits#13; telia-oss/github-pr-resource#259).
//   - GitLab: 1,000,000 (the notes API: "The content of a note. Limited to
//     1,000,000 characters"; "is too long (maximum is 1000000 characters)",
//     renovatebot/renovate#7775, runatlantis/atlantis#1755).
//   - Bitbucket: 32,767 (Bitbucket Server/Data Center: "Please enter a
//     non-empty value less than 32768 characters", ovh/cds#5601,
//     jenkinsci/violation-comments-to-stash-plugin#26; Bitbucket Cloud
//     accepts more, so the stricter one is the one that fits both).
//   - Azure DevOps: 150,000 ("A discussion comment cannot be longer than
//     150000 characters. Parameter name: comment.Content", undocumented,
//     runatlantis/atlantis#1585).
const (
	GitHubCommentLimit    = 65536
	GitLabCommentLimit    = 1000000
	BitbucketCommentLimit = 32767
	AzureCommentLimit     = 150000
)

// CommentLimits are the platforms --comment-limit names.
var CommentLimits = map[string]int{
	"github":    GitHubCommentLimit,
	"gitlab":    GitLabCommentLimit,
	"bitbucket": BitbucketCommentLimit,
	"azure":     AzureCommentLimit,
}

// minCommentLimit is the shortest limit taken: below it not even the
// headline and the approval command fit.
const minCommentLimit = 1000

// ParseCommentLimit reads --comment-limit: a platform name (github, gitlab,
// bitbucket, azure, in any case) or a number of characters.
func ParseCommentLimit(s string) (int, error) {
	if n, ok := CommentLimits[strings.ToLower(s)]; ok {
		return n, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("--comment-limit must be github, gitlab, bitbucket, azure or a number of characters, not %q", s)
	}
	if n < minCommentLimit {
		return 0, fmt.Errorf("--comment-limit %d is too small: at least %d characters", n, minCommentLimit)
	}
	return n, nil
}

// CommentLength is the length of a comment as the platforms count it:
// UTF-16 code units, which Azure DevOps and Bitbucket (.NET and Java
// strings) count, and which is never less than the code points GitHub and
// GitLab count.
func CommentLength(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// cutToLimit shortens s to at most limit UTF-16 code units, on a rune
// boundary.
func cutToLimit(s string, limit int) string {
	n := 0
	for i, r := range s {
		if n+utf16.RuneLen(r) > limit {
			return s[:i]
		}
		n += utf16.RuneLen(r)
	}
	return s
}
