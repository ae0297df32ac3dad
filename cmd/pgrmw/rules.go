package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func rulesCommand() *cli.Command {
	return &cli.Command{
		Name:  "rules",
		Usage: "not yet implemented",
		Action: func(*cli.Context) error {
			return errors.New("rules: not yet implemented")
		},
	}
}
