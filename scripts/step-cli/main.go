// Command step is the entry point of smallstep's `step` CLI (0.15.16), built from Debian's
// golang-github-smallstep-cli-dev sources, which ship the command packages but not this file.
// Each command group registers itself in its package's init(); this file only configures the
// urfave/cli application around them, the way upstream's cmd/step does.
package main

import (
	"fmt"
	"math/rand"
	"os"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/urfave/cli"

	"github.com/smallstep/cli/command"
	"github.com/smallstep/cli/command/version"
	"github.com/smallstep/cli/config"
	"github.com/smallstep/cli/usage"

	// Command groups, registered by their init functions.
	_ "github.com/smallstep/cli/command/base64"
	_ "github.com/smallstep/cli/command/ca"
	_ "github.com/smallstep/cli/command/certificate"
	_ "github.com/smallstep/cli/command/crypto"
	_ "github.com/smallstep/cli/command/fileserver"
	_ "github.com/smallstep/cli/command/oauth"
	_ "github.com/smallstep/cli/command/path"
	_ "github.com/smallstep/cli/command/ssh"
)

// Version and BuildTime are set at link time with -X main.Version=... -X main.BuildTime=...
var (
	Version   = "N/A"
	BuildTime = "N/A"
)

func init() {
	config.Set("Smallstep CLI", Version, BuildTime)
	rand.Seed(time.Now().UnixNano())
}

func main() {
	defer recoverPanic()

	cli.VersionPrinter = func(c *cli.Context) { version.Command(c) }
	cli.AppHelpTemplate = usage.AppHelpTemplate
	cli.SubcommandHelpTemplate = usage.SubcommandHelpTemplate
	cli.CommandHelpTemplate = usage.CommandHelpTemplate
	cli.HelpPrinter = usage.HelpPrinter
	cli.FlagNamePrefixer = usage.FlagNamePrefixer
	cli.FlagStringer = flagString

	app := cli.NewApp()
	app.Name = "step"
	app.HelpName = "step"
	app.Usage = "plumbing for distributed systems"
	app.Version = config.Version()
	app.Commands = command.Retrieve()
	app.Flags = append(app.Flags, cli.HelpFlag, cli.StringFlag{
		Name:  "config",
		Usage: "path to the config file to use for CLI flags",
	})
	app.EnableBashCompletion = true
	app.Copyright = "(c) 2019 Smallstep Labs, Inc."
	app.Writer = os.Stdout
	app.ErrWriter = os.Stderr

	if err := app.Run(os.Args); err != nil {
		if os.Getenv("STEPDEBUG") == "1" {
			fmt.Fprintf(os.Stderr, "%+v\n", err)
		} else {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(1)
	}
}

// recoverPanic turns a panic into exit status 2 with a short message, or re-panics with the
// version banner when STEPDEBUG=1.
func recoverPanic() {
	r := recover()
	if r == nil {
		return
	}
	if os.Getenv("STEPDEBUG") == "1" {
		fmt.Fprintf(os.Stderr, "%s\nRelease Date: %s\n\n", config.Version(), config.ReleaseDate())
		panic(r)
	}
	fmt.Fprintf(os.Stderr, "Something unexpected happened.\nRun again with STEPDEBUG=1 for details:\nSTEPDEBUG=1 %s\n",
		strings.Join(os.Args, " "))
	os.Exit(2)
}

var placeholderPattern = regexp.MustCompile(`<.*?>`)

// flagString renders a flag for help output: its prefixed names, the <placeholder> found in its
// usage text (or <value> for non-boolean flags without one), a tab and the usage text.
func flagString(f cli.Flag) string {
	v := reflect.ValueOf(f)
	for v.Kind() == reflect.Ptr {
		v = v.Elem()
	}
	text := v.FieldByName("Usage").String()
	placeholder := placeholderPattern.FindString(text)
	if placeholder == "" {
		switch f.(type) {
		case cli.BoolFlag, cli.BoolTFlag:
		default:
			placeholder = "<value>"
		}
	}
	return cli.FlagNamePrefixer(v.FieldByName("Name").String(), placeholder) + "\t" + text
}
