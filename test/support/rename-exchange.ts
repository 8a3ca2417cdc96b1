/**
 * A swapper as a hostile room runs one: Python exchanging two names atomically with
 * `renameat2(RENAME_EXCHANGE)` (which the room's seccomp filter allows), over and over, until
 * a stop file appears. Run on the host in unit tests, inside a room in the adversarial suite.
 */
export const RENAME_EXCHANGE_LOOP = `
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
a, b, stop = (p.encode() for p in sys.argv[1:4])
AT_FDCWD, RENAME_EXCHANGE = -100, 2
i = 0
while True:
    if libc.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) != 0:
        sys.exit("renameat2: " + os.strerror(ctypes.get_errno()))
    i += 1
    if i % 256 == 0 and os.path.exists(stop):
        break
print(i)
`;
