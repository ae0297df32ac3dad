package ormtraffic

import (
	"os"
	"testing"

	"github.com/pgrmw/pgrmw/internal/pgtest"
)

var srv *pgtest.Server

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, pgtest.Options{}, &srv)) }
