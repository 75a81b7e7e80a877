package main

import (
	"context"
	"errors"
	"fmt"

	"bosmessenger/session"
)

func init() {
	commands["keywords"] = command{"keywords [add WORD | remove WORD]  (lists the notification keywords after the change; content push rules as Element writes them)", cmdKeywords}
}

// cmdKeywords prints the account's notification keywords, one a line, after adding or removing one.
func cmdKeywords(ctx context.Context, a *args) error {
	usage := usageError{"usage: bosctl " + commands["keywords"].usage}
	if len(a.pos) != 0 && (len(a.pos) != 2 || a.pos[0] != "add" && a.pos[0] != "remove") {
		return usage
	}
	return withSession(ctx, a, func(s *session.Session) error {
		var err error
		switch {
		case len(a.pos) == 0:
			err = s.RefreshPushRules(ctx)
		case a.pos[0] == "add":
			err = s.AddKeyword(ctx, a.pos[1])
		default:
			err = s.RemoveKeyword(ctx, a.pos[1])
		}
		if errors.Is(err, session.ErrInvalidKeyword) {
			return usageError{err.Error()}
		}
		if err != nil {
			return err
		}
		kws, err := s.Keywords(ctx)
		if err != nil {
			return err
		}
		for _, kw := range kws {
			fmt.Fprintln(a.stdout, kw)
		}
		return nil
	})
}
