// Checks the engine's core-language expectations against Go's text/template (Go 1.19 here).
//
//	GOTEMPLATE_GOLDEN_OUT=$PWD/Tests/GoTemplateTests/golden/cases.json \
//	    swift test --filter GoldenDumpTests          # from the package root
//	cd Tests/GoTemplateTests/golden && go run golden.go cases.json
//
// cases.json is the list of Go-checkable cases (template, data, expected output or error) of
// the Swift case table, including the edge cases of CasesGoProbes.swift. Data numbers are
// tagged {"$i": n} (int) or {"$f": x} (float64) so that Go sees the same types as the Swift
// engine. Prints every disagreement and a summary.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"
)

type testCase struct {
	Name     string      `json:"name"`
	Template string      `json:"template"`
	Data     interface{} `json:"data"`
	Output   *string     `json:"output"`
	Error    *string     `json:"error"`
}

func untag(v interface{}) interface{} {
	switch x := v.(type) {
	case map[string]interface{}:
		if n, ok := x["$i"]; ok && len(x) == 1 {
			return int(n.(float64))
		}
		if f, ok := x["$f"]; ok && len(x) == 1 {
			return f.(float64)
		}
		m := map[string]interface{}{}
		for k, e := range x {
			m[k] = untag(e)
		}
		return m
	case []interface{}:
		out := make([]interface{}, len(x))
		for i, e := range x {
			out[i] = untag(e)
		}
		return out
	}
	return v
}

func main() {
	var cases []testCase
	for _, path := range os.Args[1:] {
		raw, err := os.ReadFile(path)
		if err != nil {
			panic(err)
		}
		var more []testCase
		if err := json.Unmarshal(raw, &more); err != nil {
			panic(err)
		}
		cases = append(cases, more...)
	}
	bad := 0
	for _, c := range cases {
		var got string
		var gotErr error
		t, err := template.New("t").Parse(c.Template)
		if err != nil {
			gotErr = err
		} else {
			var b strings.Builder
			gotErr = t.Execute(&b, untag(c.Data))
			got = b.String()
		}
		switch {
		case c.Output != nil && gotErr != nil:
			fmt.Printf("%s: want output %q, Go error %v\n", c.Name, *c.Output, gotErr)
			bad++
		case c.Output != nil && got != *c.Output:
			fmt.Printf("%s: want output %q, Go output %q\n", c.Name, *c.Output, got)
			bad++
		case c.Error != nil && gotErr == nil:
			fmt.Printf("%s: want error %q, Go output %q\n", c.Name, *c.Error, got)
			bad++
		case c.Error != nil && gotErr.Error() != *c.Error:
			fmt.Printf("%s: want error %q\n   Go error %q\n", c.Name, *c.Error, gotErr.Error())
			bad++
		}
	}
	fmt.Printf("%d cases checked against Go, %d disagreements\n", len(cases), bad)
}
