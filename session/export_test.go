package session

// AccessTokenForTest exposes the access token to tests that check it never reaches the disk.
func (s *Session) AccessTokenForTest() string { return s.cli.AccessToken }
