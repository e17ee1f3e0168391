// Command render is a small `helm template` for the chart tests: no helm binary, cluster or
// network exists on the machines that run them, but Helm's template engine is Go's
// text/template with sprig's functions, both packaged by Debian. This program renders a
// chart the way Helm 3's engine does (pkg/engine/engine.go, pkg/chartutil/coalesce.go):
//
//   - values: the chart's values.yaml, overlaid by each -f file in order, nulls delete keys;
//     numbers are float64, as Helm's (sigs.k8s.io/yaml goes through JSON);
//   - .Values .Release .Chart .Capabilities .Template, missingkey=zero, "<no value>" removed;
//   - functions: sprig minus env/expandenv, plus include, tpl, required, toYaml, fromYaml,
//     fromYamlArray, toJson, fromJson, lookup (always empty, as in `helm template`);
//   - the chart's kubeVersion constraint is checked against the -kube-version;
//   - output: every rendered document as "---\n# Source: <chart>/templates/<file>\n<doc>",
//     resources in Helm's install order, then hooks (such as `helm test` pods).
//
// Not covered: subcharts, .Files, schema validation (the tests run jsonschema on the values
// this program writes with -values-out), and real cluster lookups.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/semver/v3"
	"github.com/Masterminds/sprig/v3"
	"sigs.k8s.io/yaml"
)

// Helm's engine stops runaway include recursion at this depth.
const includeDepthMax = 1000

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// Group/versions a plain cluster serves; -api-versions adds more (CRDs such as
// monitoring.coreos.com/v1), as `helm template --api-versions` does.
var builtinAPIVersions = []string{
	"v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v1", "autoscaling/v2",
	"networking.k8s.io/v1", "rbac.authorization.k8s.io/v1", "storage.k8s.io/v1",
	"admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1", "coordination.k8s.io/v1",
	"discovery.k8s.io/v1", "scheduling.k8s.io/v1", "certificates.k8s.io/v1",
}

// VersionSet is .Capabilities.APIVersions: Has("group/version") or Has("group/version/Kind").
type VersionSet []string

func (v VersionSet) Has(apiVersion string) bool {
	for _, x := range v {
		if x == apiVersion {
			return true
		}
	}
	return false
}

type KubeVersion struct {
	Version    string // "v1.30.0"
	Major      string
	Minor      string
	GitVersion string
}

func (k KubeVersion) String() string { return k.Version }

type Capabilities struct {
	KubeVersion KubeVersion
	APIVersions VersionSet
	HelmVersion map[string]string
}

func main() {
	var valueFiles, apiVersions stringList
	chartDir := flag.String("chart", "", "chart directory")
	flag.Var(&valueFiles, "f", "values file, repeatable (later files win)")
	releaseName := flag.String("name", "zedge", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	kubeVersion := flag.String("kube-version", "v1.30.0", "Kubernetes version for .Capabilities")
	flag.Var(&apiVersions, "api-versions", "extra API group/version (or group/version/Kind), repeatable")
	valuesOut := flag.String("values-out", "", "write the coalesced values here as JSON")
	notesOut := flag.String("notes-out", "", "write the rendered NOTES.txt here")
	flag.Parse()
	if *chartDir == "" {
		fmt.Fprintln(os.Stderr, "render: -chart is required")
		os.Exit(2)
	}
	if err := run(*chartDir, valueFiles, *releaseName, *namespace, *kubeVersion, apiVersions,
		*valuesOut, *notesOut); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func run(chartDir string, valueFiles []string, releaseName, namespace, kubeVersion string,
	extraAPIVersions []string, valuesOut, notesOut string) error {
	chart, err := readYAMLMap(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return err
	}
	chartName, _ := chart["name"].(string)
	values, err := coalescedValues(chartDir, valueFiles)
	if err != nil {
		return err
	}
	if valuesOut != "" {
		data, err := json.MarshalIndent(values, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(valuesOut, data, 0o644); err != nil {
			return err
		}
	}

	kv, err := semver.NewVersion(kubeVersion)
	if err != nil {
		return fmt.Errorf("-kube-version %q: %w", kubeVersion, err)
	}
	if constraint, ok := chart["kubeVersion"].(string); ok && constraint != "" {
		c, err := semver.NewConstraint(constraint)
		if err != nil {
			return fmt.Errorf("Chart.yaml kubeVersion %q: %w", constraint, err)
		}
		if !c.Check(kv) {
			return fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s",
				constraint, kubeVersion)
		}
	}
	caps := Capabilities{
		KubeVersion: KubeVersion{
			Version:    "v" + kv.String(),
			Major:      fmt.Sprint(kv.Major()),
			Minor:      fmt.Sprint(kv.Minor()),
			GitVersion: "v" + kv.String(),
		},
		APIVersions: append(append(VersionSet{}, builtinAPIVersions...), extraAPIVersions...),
		HelmVersion: map[string]string{"Version": "v3.14.0"},
	}
	top := map[string]interface{}{
		"Values": values,
		"Release": map[string]interface{}{
			"Name": releaseName, "Namespace": namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Chart":        chartMetadata(chart),
		"Capabilities": caps,
		"Files":        map[string]interface{}{},
	}

	files, err := templateFiles(chartDir, chartName)
	if err != nil {
		return err
	}
	rendered, err := renderAll(files, top)
	if err != nil {
		return err
	}

	var resources, hooks []document
	for _, f := range files {
		if strings.HasPrefix(path.Base(f.name), "_") {
			continue
		}
		if path.Base(f.name) == "NOTES.txt" {
			if notesOut != "" {
				if err := os.WriteFile(notesOut, []byte(rendered[f.name]), 0o644); err != nil {
					return err
				}
			}
			continue
		}
		docs, err := splitDocuments(f.name, rendered[f.name])
		if err != nil {
			return err
		}
		for _, d := range docs {
			if d.hook {
				hooks = append(hooks, d)
			} else {
				resources = append(resources, d)
			}
		}
	}
	sort.SliceStable(resources, func(i, j int) bool {
		return installRank(resources[i].kind) < installRank(resources[j].kind)
	})
	var out bytes.Buffer
	for _, d := range append(resources, hooks...) {
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", d.source, d.text)
	}
	_, err = os.Stdout.Write(out.Bytes())
	return err
}

type templateFile struct {
	name string // "<chart>/templates/deployment.yaml", as Helm names templates
	text string
}

func templateFiles(chartDir, chartName string) ([]templateFile, error) {
	root := filepath.Join(chartDir, "templates")
	var files []templateFile
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, templateFile{
			name: path.Join(chartName, "templates", filepath.ToSlash(rel)),
			text: string(data),
		})
		return nil
	})
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	return files, err
}

// renderAll parses every file into one template set (so partials are shared) and executes
// each one with the top-level object plus its .Template.
func renderAll(files []templateFile, top map[string]interface{}) (map[string]string, error) {
	t := template.New("gotpl").Option("missingkey=zero")
	includeDepth := 0
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["fromYamlArray"] = fromYAMLArray
	funcs["toJson"] = toJSON
	funcs["fromJson"] = fromJSON
	funcs["required"] = required
	funcs["lookup"] = func(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	funcs["include"] = func(name string, data interface{}) (string, error) {
		if includeDepth >= includeDepthMax {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		includeDepth++
		defer func() { includeDepth-- }()
		var buf strings.Builder
		if err := t.ExecuteTemplate(&buf, name, data); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := t.Clone()
		if err != nil {
			return "", err
		}
		inline, err := clone.New("tpl").Option("missingkey=zero").Parse(text)
		if err != nil {
			return "", fmt.Errorf("cannot parse template %q: %w", text, err)
		}
		var buf strings.Builder
		if err := inline.Execute(&buf, data); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	t.Funcs(funcs)
	for _, f := range files {
		if _, err := t.New(f.name).Parse(f.text); err != nil {
			return nil, fmt.Errorf("parse error in %q: %w", f.name, err)
		}
	}
	rendered := map[string]string{}
	for _, f := range files {
		if strings.HasPrefix(path.Base(f.name), "_") {
			continue
		}
		data := map[string]interface{}{}
		for k, v := range top {
			data[k] = v
		}
		data["Template"] = map[string]interface{}{
			"Name": f.name, "BasePath": strings.SplitN(f.name, "/", 2)[0] + "/templates",
		}
		var buf strings.Builder
		if err := t.ExecuteTemplate(&buf, f.name, data); err != nil {
			return nil, err
		}
		rendered[f.name] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	return rendered, nil
}

type document struct {
	source string
	text   string
	kind   string
	hook   bool
}

func splitDocuments(source, text string) ([]document, error) {
	var docs []document
	for _, part := range strings.Split("\n"+text, "\n---") {
		body := strings.TrimSpace(part)
		if body == "" {
			continue
		}
		var head struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Annotations map[string]string `json:"annotations"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(body), &head); err != nil {
			return nil, fmt.Errorf("YAML parse error on %s: %w\n%s", source, err, body)
		}
		if head.Kind == "" && isCommentsOnly(body) {
			continue
		}
		if head.Kind == "" {
			return nil, fmt.Errorf("%s: a document without kind:\n%s", source, body)
		}
		_, hook := head.Metadata.Annotations["helm.sh/hook"]
		docs = append(docs, document{
			source: source, text: strings.TrimRight(strings.TrimLeft(part, "\n"), " \n"),
			kind: head.Kind, hook: hook,
		})
	}
	return docs, nil
}

func isCommentsOnly(body string) bool {
	for _, line := range strings.Split(body, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return true
}

// Helm's InstallOrder (pkg/releaseutil/kind_sorter.go), the kinds a chart like this uses.
var installOrder = []string{
	"Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
	"PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap",
	"StorageClass", "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition",
	"ClusterRole", "ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role",
	"RoleList", "RoleBinding", "RoleBindingList", "Service", "DaemonSet", "Pod",
	"ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler",
	"StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
}

func installRank(kind string) int {
	for i, k := range installOrder {
		if k == kind {
			return i
		}
	}
	return len(installOrder) // unknown kinds (CRs such as ServiceMonitor) go last
}

func chartMetadata(chart map[string]interface{}) map[string]interface{} {
	// Helm exposes Chart.yaml through its Metadata struct: capitalised field names.
	fields := map[string]string{
		"name": "Name", "version": "Version", "appVersion": "AppVersion",
		"description": "Description", "type": "Type", "kubeVersion": "KubeVersion",
		"apiVersion": "APIVersion", "home": "Home", "sources": "Sources",
		"keywords": "Keywords", "maintainers": "Maintainers", "icon": "Icon",
		"annotations": "Annotations", "deprecated": "Deprecated",
	}
	meta := map[string]interface{}{}
	for k, v := range chart {
		if name, ok := fields[k]; ok {
			meta[name] = v
		}
	}
	return meta
}

func coalescedValues(chartDir string, valueFiles []string) (map[string]interface{}, error) {
	defaults, err := readYAMLMap(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		return nil, err
	}
	user := map[string]interface{}{}
	for _, f := range valueFiles {
		overlay, err := readYAMLMap(f)
		if err != nil {
			return nil, err
		}
		user = mergeMaps(user, overlay)
	}
	return coalesce(user, defaults), nil
}

// mergeMaps is Helm's merge of -f files: later files win, maps merge recursively.
func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if vm, ok := v.(map[string]interface{}); ok {
			if om, ok := out[k].(map[string]interface{}); ok {
				out[k] = mergeMaps(om, vm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// coalesce fills user values from the chart's defaults; a user null deletes the key.
func coalesce(user, defaults map[string]interface{}) map[string]interface{} {
	for k, dv := range defaults {
		uv, present := user[k]
		switch {
		case !present:
			user[k] = deepCopy(dv)
		case uv == nil:
			delete(user, k)
		default:
			um, uok := uv.(map[string]interface{})
			dm, dok := dv.(map[string]interface{})
			if uok && dok {
				user[k] = coalesce(um, dm)
			}
		}
	}
	for k, v := range user {
		if v == nil {
			delete(user, k)
		}
	}
	return user
}

func deepCopy(v interface{}) interface{} {
	switch x := v.(type) {
	case map[string]interface{}:
		out := make(map[string]interface{}, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []interface{}:
		out := make([]interface{}, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

func readYAMLMap(file string) (map[string]interface{}, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	out := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if out == nil {
		out = map[string]interface{}{}
	}
	return out, nil
}

func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYAML(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromYAMLArray(s string) []interface{} {
	var a []interface{}
	if err := yaml.Unmarshal([]byte(s), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func required(warn string, val interface{}) (interface{}, error) {
	if val == nil {
		return val, errors.New(warn)
	}
	if s, ok := val.(string); ok && s == "" {
		return val, errors.New(warn)
	}
	return val, nil
}
