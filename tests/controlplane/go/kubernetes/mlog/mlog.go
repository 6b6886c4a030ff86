// Package mlog is a small stand-in for monis.app/mlog, whose module host the
// Go module proxy does not serve. It provides only the API that the Azure
// workload identity webhook uses (leveled JSON logging on stderr through
// logr's funcr); the webhook's own code is built unchanged.
package mlog

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
)

// LogLevel names a verbosity, as accepted by the webhook's --log-level.
type LogLevel string

const (
	LevelWarning LogLevel = "warning"
	LevelInfo    LogLevel = ""
	LevelDebug   LogLevel = "debug"
	LevelTrace   LogLevel = "trace"
	LevelAll     LogLevel = "all"
)

// LogFormat names an output format; only JSON is produced.
type LogFormat string

const (
	FormatJSON LogFormat = "json"
	FormatText LogFormat = "text"
)

// LogSpec is the configuration given to ValidateAndSetLogLevelAndFormatGlobally.
type LogSpec struct {
	Level  LogLevel  `json:"level,omitempty"`
	Format LogFormat `json:"format,omitempty"`
}

var verbosity atomic.Int32

func levelToV(l LogLevel) (int, error) {
	switch l {
	case LevelWarning, "info", LevelInfo:
		return 0, nil
	case LevelDebug:
		return 4, nil
	case LevelTrace:
		return 6, nil
	case LevelAll:
		return 100, nil
	}
	return 0, fmt.Errorf("unknown log level %q", l)
}

// ValidateAndSetLogLevelAndFormatGlobally sets the global verbosity.
func ValidateAndSetLogLevelAndFormatGlobally(_ context.Context, spec LogSpec) error {
	v, err := levelToV(spec.Level)
	if err != nil {
		return err
	}
	verbosity.Store(int32(v))
	return nil
}

// Enabled reports whether messages at level are logged.
func Enabled(level LogLevel) bool {
	v, err := levelToV(level)
	return err == nil && int32(v) <= verbosity.Load()
}

func sink() logr.Logger {
	return funcr.NewJSON(func(obj string) { fmt.Fprintln(os.Stderr, obj) },
		funcr.Options{LogTimestamp: true, Verbosity: 100})
}

// Logger is the leveled logger returned by New.
type Logger interface {
	Error(msg string, err error, keysAndValues ...any)
	Warning(msg string, keysAndValues ...any)
	Info(msg string, keysAndValues ...any)
	Debug(msg string, keysAndValues ...any)
	Trace(msg string, keysAndValues ...any)
	All(msg string, keysAndValues ...any)
	WithValues(keysAndValues ...any) Logger
	WithName(name string) Logger
}

type logger struct{ l logr.Logger }

// New returns a logger writing JSON lines to stderr.
func New() Logger { return logger{l: sink()} }

func (g logger) Error(msg string, err error, kv ...any) { g.l.Error(err, msg, kv...) }
func (g logger) Warning(msg string, kv ...any)          { g.l.Info(msg, append(kv, "warning", true)...) }
func (g logger) Info(msg string, kv ...any)             { g.l.Info(msg, kv...) }
func (g logger) Debug(msg string, kv ...any)            { g.at(LevelDebug, msg, kv) }
func (g logger) Trace(msg string, kv ...any)            { g.at(LevelTrace, msg, kv) }
func (g logger) All(msg string, kv ...any)              { g.at(LevelAll, msg, kv) }
func (g logger) WithValues(kv ...any) Logger            { return logger{l: g.l.WithValues(kv...)} }
func (g logger) WithName(name string) Logger            { return logger{l: g.l.WithName(name)} }

func (g logger) at(level LogLevel, msg string, kv []any) {
	if Enabled(level) {
		g.l.Info(msg, kv...)
	}
}

// Logr returns a logr.Logger honouring the global verbosity.
func Logr() logr.Logger {
	return funcr.NewJSON(func(obj string) { fmt.Fprintln(os.Stderr, obj) },
		funcr.Options{LogTimestamp: true, Verbosity: int(verbosity.Load())})
}

// Setup returns a function to call at exit; nothing needs flushing here.
func Setup() func() { return func() {} }

// Fatal logs err and exits with status 1.
func Fatal(err error, keysAndValues ...any) {
	sink().Error(err, "fatal error", keysAndValues...)
	os.Exit(1)
}
