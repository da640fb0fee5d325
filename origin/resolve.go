package origin

import (
	"context"
	"fmt"
	"strings"

	"github.com/rehearse-dev/rehearse/verdict"
)

// Choice is what a command was told about who wrote a change, strongest
// first: the --origin flag, then $REHEARSE_ORIGIN (the caller reads the
// environment; Resolve reads none), then the policy's origin.unknown.
type Choice struct {
	Flag  string // --origin: human, ai or auto, in any case; "" when not given
	Env   string // $REHEARSE_ORIGIN; "" when unset
	Range string // --origin-range, BASE..HEAD; only with auto
}

// evidence ends every origin a report states: whatever decided it, a
// commit or a flag only says what its writer typed.
const evidence = " (evidence, not proof: a signed approval is the guarantee)"

// Resolve turns the choice into the origin and what decided it, and, when
// auto read the commits, the e-mail addresses of the change's authors and
// committers (nil otherwise: unknown), for approvals.forbid_self. auto
// reads g's repository: the range when given, else HEAD only. Any git
// failure, a bad range, a range without auto and an unknown value are
// errors, so an unknown origin is never taken for human.
func (g Git) Resolve(ctx context.Context, c Choice, p verdict.OriginPolicy) (verdict.OriginInfo, []string, error) {
	val, by := c.Flag, "--origin"
	if val == "" {
		switch {
		case c.Env != "":
			val, by = c.Env, "REHEARSE_ORIGIN"
		case p.Unknown == verdict.OriginAI:
			// Nothing says who wrote the change: the policy's
			// origin.unknown decides, as it does when auto finds nothing.
			val, by = "ai", "origin.unknown: ai, no --origin given"
		default:
			val, by = "human", "default"
		}
	}
	low := strings.ToLower(val)
	if c.Range != "" && low != "auto" {
		return verdict.OriginInfo{}, nil, fmt.Errorf("--origin-range needs --origin auto; the origin here is %q, from %s", val, by)
	}
	switch low {
	case "human":
		return verdict.OriginInfo{Origin: verdict.OriginHuman, DecidedBy: by + evidence}, nil, nil
	case "ai":
		return verdict.OriginInfo{Origin: verdict.OriginAI, DecidedBy: by + evidence}, nil, nil
	case "auto":
		rules := Rules{Trailers: p.Trailers, Agents: p.Agents, UnknownIsAI: p.Unknown == verdict.OriginAI}
		var r Result
		var err error
		if c.Range == "" {
			r, err = g.Detect(ctx, rules)
		} else {
			r, err = g.DetectRange(ctx, c.Range, rules)
		}
		if err != nil {
			return verdict.OriginInfo{}, nil, fmt.Errorf("%s auto: %w", by, err)
		}
		o := verdict.OriginInfo{Origin: verdict.OriginHuman, DecidedBy: r.DecidedBy}
		if r.AI {
			o.Origin = verdict.OriginAI
		}
		if c.Range == "" {
			o.DecidedBy += " — HEAD only; pass --origin-range for the whole pull request"
		}
		o.DecidedBy += evidence
		return o, r.Authors, nil
	}
	return verdict.OriginInfo{}, nil, fmt.Errorf("%s: origin must be human, ai or auto, not %q", by, val)
}
