/* Test-only stand-in for Windows' bcryptprimitives.dll, which wine 8.0 lacks: Go 1.24+ calls
 * ProcessPrng for random bytes. It fills the buffer from RtlGenRandom (advapi32 SystemFunction036). */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
	while (len > 0) {
		ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (!SystemFunction036(data, chunk))
			return FALSE;
		data += chunk;
		len -= chunk;
	}
	return TRUE;
}
