package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/rehearse-dev/rehearse/change"
)

// RedactChangeSet rewrites a CloudFormation change set with the values of
// properties whose names say secret (password, token, private_key…)
// replaced by Redacted, in BeforeContext and AfterContext (which stay JSON
// strings), in Details' before and after values, and in parameters; then
// any other occurrence of a redacted value, as RedactPlan does. The output
// is indented JSON with sorted keys.
func RedactChangeSet(data []byte) ([]byte, error) {
	doc, err := decodeUseNumber(data)
	if err != nil {
		return nil, fmt.Errorf("change set JSON: %w", err)
	}
	r := &redactor{secrets: map[string]bool{}}
	top := obj(doc)
	var contexts []struct {
		m   map[string]any
		key string
		v   any
	}
	for _, k := range []string{"Parameters", "parameters"} {
		for _, p := range list(top[k]) {
			pm := obj(p)
			name, _ := firstString(pm, "ParameterKey", "parameterKey")
			if change.SecretName(name) {
				for _, vk := range []string{"ParameterValue", "parameterValue", "ResolvedValue", "resolvedValue"} {
					if v, ok := pm[vk].(string); ok && !isMarker(v) {
						pm[vk] = r.replace(v)
					}
				}
			}
		}
	}
	for _, k := range []string{"Changes", "changes"} {
		for _, c := range list(top[k]) {
			rc := obj(obj(c)["ResourceChange"])
			if rc == nil {
				rc = obj(obj(c)["resourceChange"])
			}
			for _, dk := range []string{"Details", "details"} {
				for _, d := range list(rc[dk]) {
					t := obj(obj(d)["Target"])
					if t == nil {
						t = obj(obj(d)["target"])
					}
					name, _ := firstString(t, "Name", "name")
					if change.SecretName(name) {
						for _, vk := range []string{"BeforeValue", "AfterValue", "beforeValue", "afterValue"} {
							if v, ok := t[vk]; ok && v != nil && !isMarker(v) {
								t[vk] = r.replace(v)
							}
						}
					}
				}
			}
			for _, ck := range []string{"BeforeContext", "AfterContext", "beforeContext", "afterContext"} {
				s, ok := rc[ck].(string)
				if !ok {
					continue
				}
				v, err := decodeUseNumber([]byte(s))
				if err != nil {
					return nil, fmt.Errorf("%s: %w", ck, err)
				}
				r.names(v, false, true)
				contexts = append(contexts, struct {
					m   map[string]any
					key string
					v   any
				}{rc, ck, v})
				rc[ck] = v
			}
		}
	}
	r.everywhere(doc)
	for _, c := range contexts {
		b, err := json.Marshal(c.v)
		if err != nil {
			return nil, err
		}
		c.m[c.key] = string(b)
	}
	return encodeIndented(doc)
}

// RedactPreview rewrites a Pulumi preview, the digest or the streaming
// events, with the values of inputs and outputs whose names say secret
// replaced by Redacted, and config values named so; then any other
// occurrence of a redacted value. Events stay one per line.
func RedactPreview(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var docs []any
	for dec.More() {
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("preview JSON: %w", err)
		}
		docs = append(docs, v)
	}
	r := &redactor{secrets: map[string]bool{}}
	states := func(m map[string]any) {
		for _, k := range []string{"oldState", "newState", "old", "new"} {
			s := obj(m[k])
			for _, vk := range []string{"inputs", "outputs"} {
				if v, ok := s[vk]; ok {
					r.names(v, false, true)
				}
			}
		}
	}
	for _, d := range docs {
		top := obj(d)
		for k, v := range obj(top["config"]) {
			if s, ok := v.(string); ok && change.SecretName(k) && !isMarker(s) {
				obj(top["config"])[k] = r.replace(s)
			}
		}
		for _, st := range list(top["steps"]) {
			states(obj(st))
		}
		for _, ev := range []string{"resourcePreEvent", "resOutputsEvent"} {
			states(obj(obj(top[ev])["metadata"]))
		}
	}
	r.everywhere(docs)
	if len(docs) == 1 && obj(docs[0])["sequence"] == nil {
		return encodeIndented(docs[0])
	}
	var buf bytes.Buffer
	for _, d := range docs {
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(d); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

func decodeUseNumber(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func encodeIndented(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func firstString(m map[string]any, keys ...string) (string, bool) {
	for _, k := range keys {
		if s, ok := m[k].(string); ok {
			return s, true
		}
	}
	return "", false
}
