/**
 * A classic-BPF seccomp program for rooms, in the raw form bubblewrap's `--seccomp FD` loads
 * (an array of `struct sock_filter`, 8 bytes each, host byte order).
 *
 * Deny-list in the spirit of Docker's default profile: everything a data analysis needs is allowed;
 * syscalls that reach kernel-global state or are frequent escape vectors fail with EPERM
 * (mounts, modules, kexec, keyrings, bpf, perf, ptrace and cross-process memory, io_uring,
 * namespace creation and joining, clock setting, TIOCSTI/TIOCLINUX terminal injection), and
 * `socket(AF_VSOCK, …)`: vsock is not network-namespaced, so a room without a network could still
 * reach the hypervisor host and its services (as Docker's default profile also refuses).
 * `clone3` fails with ENOSYS so libc falls back to `clone`, whose namespace flags can be checked
 * (clone3 passes them in memory, out of BPF's reach). Foreign ABIs (x32, i386) are killed.
 *
 * Only x86_64 is described; on another architecture `buildSeccompFilter` throws and the driver
 * refuses to start rooms rather than run them unfiltered.
 */

const AUDIT_ARCH_X86_64 = 0xc000003e;
const X32_SYSCALL_BIT = 0x40000000;

const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const JSET_K = 0x45;
const RET_K = 0x06;

const RET_ALLOW = 0x7fff0000;
const RET_KILL_PROCESS = 0x80000000;
const RET_ERRNO = 0x00050000;
const EPERM = 1;
const ENOSYS = 38;

const OFFSET_NR = 0;
const OFFSET_ARCH = 4;
/** Low 32 bits of argument i (little-endian). */
const offsetArg = (i: number) => 16 + 8 * i;

/** x86_64 syscall numbers refused with EPERM. */
export const DENIED_SYSCALLS_X86_64: Readonly<Record<string, number>> = {
  syslog: 103,
  ptrace: 101,
  uselib: 134,
  ustat: 136,
  sysfs: 139,
  vhangup: 153,
  pivot_root: 155,
  _sysctl: 156,
  adjtimex: 159,
  chroot: 161,
  acct: 163,
  settimeofday: 164,
  mount: 165,
  umount2: 166,
  swapon: 167,
  swapoff: 168,
  reboot: 169,
  sethostname: 170,
  setdomainname: 171,
  iopl: 172,
  ioperm: 173,
  create_module: 174,
  init_module: 175,
  delete_module: 176,
  get_kernel_syms: 177,
  query_module: 178,
  quotactl: 179,
  nfsservctl: 180,
  lookup_dcookie: 212,
  clock_settime: 227,
  kexec_load: 246,
  add_key: 248,
  request_key: 249,
  keyctl: 250,
  unshare: 272,
  perf_event_open: 298,
  fanotify_init: 300,
  name_to_handle_at: 303,
  open_by_handle_at: 304,
  clock_adjtime: 305,
  setns: 308,
  process_vm_readv: 310,
  process_vm_writev: 311,
  kcmp: 312,
  finit_module: 313,
  kexec_file_load: 320,
  bpf: 321,
  userfaultfd: 323,
  io_uring_setup: 425,
  io_uring_enter: 426,
  io_uring_register: 427,
  open_tree: 428,
  move_mount: 429,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  pidfd_getfd: 438,
  mount_setattr: 442,
  quotactl_fd: 443,
  open_tree_attr: 467,
};
const NR_CLONE = 56;
const NR_CLONE3 = 435;
const NR_IOCTL = 16;
/** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET. */
const CLONE_NAMESPACE_FLAGS = 0x7e020000;
const NR_SOCKET = 41;
const AF_VSOCK = 40;
const TIOCSTI = 0x5412;
const TIOCLINUX = 0x541c;

interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}
const stmt = (code: number, k: number): Insn => ({ code, jt: 0, jf: 0, k });
const jump = (code: number, k: number, jt: number, jf: number): Insn => ({ code, jt, jf, k });

function program(): Insn[] {
  const deny = stmt(RET_K, RET_ERRNO | EPERM);
  const p: Insn[] = [
    stmt(LD_W_ABS, OFFSET_ARCH),
    jump(JEQ_K, AUDIT_ARCH_X86_64, 1, 0),
    stmt(RET_K, RET_KILL_PROCESS),
    stmt(LD_W_ABS, OFFSET_NR),
    jump(JGE_K, X32_SYSCALL_BIT, 0, 1),
    stmt(RET_K, RET_KILL_PROCESS),
  ];
  for (const nr of Object.values(DENIED_SYSCALLS_X86_64)) {
    p.push(jump(JEQ_K, nr, 0, 1), deny);
  }
  p.push(jump(JEQ_K, NR_CLONE3, 0, 1), stmt(RET_K, RET_ERRNO | ENOSYS));
  // clone: refuse namespace flags (arg 0).
  p.push(jump(JEQ_K, NR_CLONE, 0, 3), stmt(LD_W_ABS, offsetArg(0)), jump(JSET_K, CLONE_NAMESPACE_FLAGS, 0, 1), deny);
  // The accumulator may now hold clone's flags: reload the number. socket: refuse AF_VSOCK (arg 0).
  p.push(stmt(LD_W_ABS, OFFSET_NR), jump(JEQ_K, NR_SOCKET, 0, 3), stmt(LD_W_ABS, offsetArg(0)), jump(JEQ_K, AF_VSOCK, 0, 1), deny);
  // And again before the ioctl check.
  p.push(stmt(LD_W_ABS, OFFSET_NR), jump(JEQ_K, NR_IOCTL, 0, 4), stmt(LD_W_ABS, offsetArg(1)), jump(JEQ_K, TIOCSTI, 1, 0), jump(JEQ_K, TIOCLINUX, 0, 1), deny);
  p.push(stmt(RET_K, RET_ALLOW));
  return p;
}

/** The filter as bytes for `bwrap --seccomp FD`. */
export function buildSeccompFilter(arch: string = process.arch): Buffer {
  if (arch !== 'x64') {
    throw new Error(`no room seccomp filter for architecture ${arch}`);
  }
  const insns = program();
  const buf = Buffer.alloc(insns.length * 8);
  insns.forEach((insn, i) => {
    buf.writeUInt16LE(insn.code, i * 8);
    buf.writeUInt8(insn.jt, i * 8 + 2);
    buf.writeUInt8(insn.jf, i * 8 + 3);
    buf.writeUInt32LE(insn.k >>> 0, i * 8 + 4);
  });
  return buf;
}
