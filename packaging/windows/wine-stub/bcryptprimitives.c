/*
 * Test-only stand-in for Windows' bcryptprimitives.dll, for running Go >= 1.24 programs under
 * Debian 12's wine 8.0, which lacks ProcessPrng (Go's runtime calls it for random bytes). It fills
 * the buffer from RtlGenRandom (advapi32 SystemFunction036). Only the CI smoke test copies it into
 * its throwaway wine prefix; it is never part of the MSI. Built with mingw by scripts/smoke-package.sh.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
