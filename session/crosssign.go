package session

import "context"

// bootstrapCrossSigning creates the user's cross-signing keys at their first login and signs this
// device with them. A user who has keys already (this is another device) keeps them: the device
// stays unverified until it is verified from another one. Failures only cost the cross-signing,
// not the login, so they are logged.
func (s *Session) bootstrapCrossSigning(ctx context.Context, password string) {
	has, err := s.e2ee.ServerHasCrossSigning(ctx)
	if err != nil {
		s.log.Warn().Err(err).Msg("Checking for cross-signing keys failed")
		return
	}
	if has {
		s.log.Info().Msg("Cross-signing keys exist: this device needs verification from another one")
		return
	}
	if err := s.e2ee.BootstrapCrossSigning(ctx, password); err != nil {
		s.log.Warn().Err(err).Msg("Setting up cross-signing failed")
		return
	}
	s.log.Info().Msg("Cross-signing set up; this device is signed")
	s.refreshDeviceGate(ctx, false)
	if ok, err := s.e2ee.HasSecretStorage(ctx); err == nil && ok {
		// Secret storage exists already (set up by another client), but its key is not known
		// here: the keys go into it when it is next unlocked (RestoreKeyBackup, VerifyWithRecoveryKey).
		s.log.Info().Msg("Secret storage exists: the cross-signing keys are stored there once it is unlocked with the recovery key")
	}
}
