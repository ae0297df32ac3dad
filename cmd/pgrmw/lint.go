package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func lintCommand() *cli.Command {
	return &cli.Command{
		Name:  "lint",
		Usage: "not yet implemented",
		Action: func(*cli.Context) error {
			return errors.New("lint: not yet implemented")
		},
	}
}
