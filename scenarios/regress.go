package scenarios

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rehearse-dev/rehearse/sandbox"
)

// Shard selects one part of a library: the I-th of N (1-based). The zero
// value is the whole library.
type Shard struct{ I, N int }

// ParseShard parses "i/n", e.g. "2/5".
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return Shard{}, fmt.Errorf("shard %q: want i/n with 1 ≤ i ≤ n, e.g. 2/5", s)
	}
	return Shard{I: i, N: n}, nil
}

func (s Shard) String() string {
	if s.N <= 1 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.I, s.N)
}

// Select keeps the names of this shard. Names are sorted and dealt out in
// turn, so shards differ in size by at most one and every name lands in
// exactly one shard, whatever order the paths were given in.
func (s Shard) Select(names []string) []string {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	if s.N <= 1 {
		return sorted
	}
	var out []string
	for i, n := range sorted {
		if i%s.N == s.I-1 {
			out = append(out, n)
		}
	}
	return out
}

// Discover finds the scenario files under the given paths: a scenario
// file itself, a scenario folder, or any directory searched recursively
// for scenario.yaml. The result is sorted and without duplicates. A path
// that does not exist, or a directory holding no scenario, is an error:
// a nightly job pointed at the wrong place must not pass on nothing.
func Discover(paths []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			if !seen[p] {
				seen[p] = true
				out = append(out, filepath.Clean(p))
			}
			continue
		}
		found := 0
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != p && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if !d.IsDir() && d.Name() == FileName {
				found++
				if !seen[path] {
					seen[path] = true
					out = append(out, path)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if found == 0 {
			return nil, fmt.Errorf("%s: no %s found", p, FileName)
		}
	}
	sort.Strings(out)
	return out, nil
}

// RegressOptions tune Regress.
type RegressOptions struct {
	Options
	// Parallel is how many scenarios run at once; 0 means the number of
	// CPUs.
	Parallel int
	Shard    Shard
	// RequireDocker turns a container scenario that cannot reach Docker
	// into an error instead of a skip.
	RequireDocker bool
	// OnResult is called after each scenario, one call at a time, with the
	// number done and the total: for progress.
	OnResult func(done, total int, r Result)
}

// Regression is the outcome of a Regress run.
type Regression struct {
	Shard   string        `json:"shard,omitempty"`
	Results []Result      `json:"results"`
	Took    time.Duration `json:"duration_ns"`
}

// Count returns how many results have the status.
func (g *Regression) Count(s Status) int {
	n := 0
	for _, r := range g.Results {
		if r.Status == s {
			n++
		}
	}
	return n
}

// Regress loads the scenarios found under paths, keeps the shard's share,
// replays them in parallel and returns the results in name order. A
// scenario file that does not load is an Errored result, not a reason to
// skip the others; an error is returned only when the paths cannot be
// searched.
func Regress(ctx context.Context, paths []string, opts RegressOptions) (*Regression, error) {
	start := time.Now()
	files, err := Discover(paths)
	if err != nil {
		return nil, err
	}
	type item struct {
		s   *Scenario
		res Result // set when the scenario did not load
	}
	byName := map[string]*item{}
	var names []string
	for _, f := range files {
		s, err := Load(f)
		it := &item{s: s}
		name := ""
		if err != nil {
			// Name a broken scenario by its folder, so it still has a
			// shard and a line in the table.
			name = filepath.Base(filepath.Dir(f))
			it.res = Result{Name: name, File: f, Status: Errored, Reason: oneLine(err.Error())}
		} else {
			name = s.Name
		}
		if prev, dup := byName[name]; dup {
			prevFile := prev.res.File
			if prev.s != nil {
				prevFile = prev.s.File
			}
			it = &item{res: Result{Name: name, File: f, Status: Errored,
				Reason: fmt.Sprintf("scenario name %q is also used by %s; names must be unique", name, prevFile)}}
			name = name + " (" + f + ")"
		}
		byName[name] = it
		names = append(names, name)
	}
	names = opts.Shard.Select(names)

	results := make([]Result, len(names))
	par := opts.Parallel
	if par <= 0 {
		par = runtime.NumCPU()
	}
	docker := dockerCheck(opts)
	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
		sem  = make(chan struct{}, par)
	)
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			it := byName[name]
			r := it.res
			if it.s != nil {
				o := opts.Options
				o.Docker = docker
				if o.RunID != "" {
					o.RunID = fmt.Sprintf("%s-%d", o.RunID, i)
				}
				if ctx.Err() != nil {
					r = Result{Name: it.s.Name, File: it.s.File, Input: it.s.Kinds(), Expected: it.s.Expect,
						Status: Errored, Reason: "not run: " + ctx.Err().Error()}
				} else {
					r = Replay(ctx, it.s, o)
				}
				if r.Status == Skipped && opts.RequireDocker {
					r.Status = Errored
				}
			}
			results[i] = r
			if opts.OnResult != nil {
				mu.Lock()
				done++
				opts.OnResult(done, len(names), r)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return &Regression{Shard: opts.Shard.String(), Results: results, Took: time.Since(start)}, nil
}

// dockerCheck asks Docker once per run, however many container scenarios
// there are, and gives every one of them the same answer.
func dockerCheck(opts RegressOptions) func(context.Context) error {
	ping := opts.Docker
	if ping == nil {
		ping = sandbox.Ping
	}
	var once sync.Once
	var err error
	return func(ctx context.Context) error {
		once.Do(func() { err = ping(ctx) })
		return err
	}
}
