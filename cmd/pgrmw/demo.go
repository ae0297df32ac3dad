package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "not yet implemented",
		Action: func(*cli.Context) error {
			return errors.New("demo: not yet implemented")
		},
	}
}
