// Command go-render renders a Go text/template with the Sprig function map,
// configured the way Iter8 configures its provider templates, so canary's
// TypeScript port can be checked byte-for-byte against real Go output.
//
// It builds offline against Debian's packaged sources; see README.md.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"sigs.k8s.io/yaml"
)

// Keys in a values file whose entries become Go ints rather than float64,
// because JSON cannot say "this number is an int" (Iter8 injects
// elapsedTimeSeconds as an integer).
const (
	goIntKey   = "__goInt__"
	goInt64Key = "__goInt64__"
)

func main() {
	name := flag.String("name", "provider template", "template name used in error messages")
	goldens := flag.String("goldens", "", "render every <case>.tpl in this directory into <case>.out or <case>.err")
	elapsed := flag.Int64("elapsed", -1, "if >= 0, add elapsedTimeSeconds as an int64, as Iter8 does")
	flag.Parse()

	if *goldens != "" {
		if err := renderGoldens(*goldens); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		return
	}
	if flag.NArg() < 1 || flag.NArg() > 2 {
		fmt.Fprintln(os.Stderr, "usage: go-render [-name NAME] [-elapsed N] TEMPLATE [VALUES.json]")
		fmt.Fprintln(os.Stderr, "       go-render -goldens DIR")
		os.Exit(2)
	}
	valuesPath := ""
	if flag.NArg() == 2 {
		valuesPath = flag.Arg(1)
	}
	values, err := readValues(valuesPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if *elapsed >= 0 {
		if values == nil {
			values = map[string]interface{}{}
		}
		values["elapsedTimeSeconds"] = *elapsed
	}
	source, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out, phase, err := render(*name, string(source), values)
	os.Stdout.WriteString(out)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %s\n", phase, err)
		os.Exit(1)
	}
}

// funcMap mirrors Iter8's FuncMapWithToYAML: Sprig's text functions plus a
// toYaml built on sigs.k8s.io/yaml that swallows errors and trims the newline.
func funcMap() template.FuncMap {
	f := sprig.TxtFuncMap()
	f["toYaml"] = func(v interface{}) string {
		data, err := yaml.Marshal(v)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(data), "\n")
	}
	return f
}

func render(name, source string, values map[string]interface{}) (string, string, error) {
	tpl, err := template.New(name).Funcs(funcMap()).Parse(source)
	if err != nil {
		return "", "parse", err
	}
	var out strings.Builder
	var data interface{}
	if values != nil {
		data = values
	}
	if err := tpl.Execute(&out, data); err != nil {
		return out.String(), "execute", err
	}
	return out.String(), "", nil
}

func readValues(path string) (map[string]interface{}, error) {
	if path == "" {
		return nil, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var values map[string]interface{}
	if err := json.Unmarshal(raw, &values); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if values == nil {
		return nil, nil
	}
	if ints, ok := values[goIntKey].(map[string]interface{}); ok {
		for k, v := range ints {
			values[k] = int(v.(float64))
		}
		delete(values, goIntKey)
	}
	if ints, ok := values[goInt64Key].(map[string]interface{}); ok {
		for k, v := range ints {
			values[k] = int64(v.(float64))
		}
		delete(values, goInt64Key)
	}
	return values, nil
}

// renderGoldens writes <case>.out (output) or <case>.err ("parse" or
// "execute" on the first line, Go's error message on the second).
func renderGoldens(dir string) error {
	templates, err := filepath.Glob(filepath.Join(dir, "*.tpl"))
	if err != nil {
		return err
	}
	sort.Strings(templates)
	for _, tplPath := range templates {
		base := strings.TrimSuffix(tplPath, ".tpl")
		caseName := filepath.Base(base)
		source, err := os.ReadFile(tplPath)
		if err != nil {
			return err
		}
		valuesPath := base + ".values.json"
		if _, err := os.Stat(valuesPath); err != nil {
			valuesPath = ""
		}
		values, err := readValues(valuesPath)
		if err != nil {
			return err
		}
		out, phase, renderErr := render(caseName, string(source), values)
		os.Remove(base + ".out")
		os.Remove(base + ".err")
		if renderErr != nil {
			msg := phase + "\n" + renderErr.Error() + "\n"
			if err := os.WriteFile(base+".err", []byte(msg), 0o644); err != nil {
				return err
			}
			fmt.Printf("%-40s %s error\n", caseName, phase)
			continue
		}
		if err := os.WriteFile(base+".out", []byte(out), 0o644); err != nil {
			return err
		}
		fmt.Printf("%-40s ok (%d bytes)\n", caseName, len(out))
	}
	return nil
}
