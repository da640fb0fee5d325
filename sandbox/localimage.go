package sandbox

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/moby/moby/client"
)

// LocalImage is an image no registry has: rehearse's own scripts build it
// on this machine, and the library's scenarios name it. A scenario whose
// local image is missing is skipped with how to build it, like one on a
// machine without Docker, rather than failing on a pull that cannot work.
type LocalImage struct {
	Repository string // e.g. rehearse-test/postgres, any tag
	Hint       string // how to build it, one line
}

// LocalImages are the images rehearse knows how to build.
var LocalImages = []LocalImage{
	{Repository: "rehearse-test/postgres", Hint: "build it once: make postgres-image, which runs scripts/postgres-image.sh and needs debootstrap"},
}

// missingLocalImage reports the first local image the environment's
// services, change and rollback steps name that this machine lacks, as a
// MissingPrerequisiteError, before any Docker object exists.
func missingLocalImage(ctx context.Context, cli client.APIClient, env *Environment) error {
	type use struct{ image, service string }
	var uses []use
	for _, name := range slices.Sorted(maps.Keys(env.Services)) {
		uses = append(uses, use{env.Services[name].Image, name})
	}
	for _, steps := range [][]Step{env.Change, env.Rollback} {
		for _, st := range steps {
			switch {
			case st.Update != nil:
				uses = append(uses, use{st.Update.Image, st.Update.Service})
			case st.Script != nil:
				uses = append(uses, use{st.Script.Image, "runner"})
			}
		}
	}
	for _, u := range uses {
		li, ok := localImage(u.image)
		if !ok {
			continue
		}
		_, err := cli.ImageInspect(ctx, u.image)
		switch {
		case isNotFound(err):
			return &MissingPrerequisiteError{Prerequisite: Prerequisite{Path: u.image, Hint: li.Hint}, Service: u.service}
		case err != nil:
			return err
		}
	}
	return nil
}

// localImage tells whether ref names one of LocalImages.
func localImage(ref string) (LocalImage, bool) {
	repo := ref
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		repo = ref[:i]
	}
	for _, li := range LocalImages {
		if repo == li.Repository {
			return li, true
		}
	}
	return LocalImage{}, false
}
