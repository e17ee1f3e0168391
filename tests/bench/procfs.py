"""Readings from /proc: a process's CPU time and memory, the kernel's socket memory.

Only counters the kernel already keeps are read; nothing here samples in a loop.
"""
import os

CLOCK_TICKS_PER_S = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")

# /proc/<pid>/stat fields after the ")" that closes comm: utime is field 14, stime 15
# (proc(5)), i.e. indexes 11 and 12 of what follows the comm.
_UTIME_INDEX = 11
_STIME_INDEX = 12


def cpu_seconds(pid):
    """utime + stime of the whole process (every thread), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        after_comm = f.read().rsplit(")", 1)[1].split()
    ticks = int(after_comm[_UTIME_INDEX]) + int(after_comm[_STIME_INDEX])
    return ticks / CLOCK_TICKS_PER_S


def system_busy_seconds():
    """CPU seconds all CPUs spent not idle (not idle, not iowait) since boot: /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS_PER_S


def _status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def rss_bytes(pid):
    return _status_kb(pid, "VmRSS") * 1024


def peak_rss_bytes(pid):
    """VmHWM: the highest RSS since start or since reset_peak_rss()."""
    return _status_kb(pid, "VmHWM") * 1024


def reset_peak_rss(pid):
    """Make VmHWM start again from the current RSS (writing 5 to clear_refs, Linux >= 4.0)."""
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")


def meminfo_bytes():
    """/proc/meminfo fields in bytes (those given in kB)."""
    values = {}
    with open("/proc/meminfo") as f:
        for line in f:
            name, rest = line.split(":", 1)
            parts = rest.split()
            if len(parts) == 2 and parts[1] == "kB":
                values[name] = int(parts[0]) * 1024
    return values


def tcp_sockstat():
    """The TCP line of /proc/net/sockstat: inuse, orphan, tw, alloc, and mem (in pages)."""
    with open("/proc/net/sockstat") as f:
        for line in f:
            if line.startswith("TCP:"):
                parts = line.split()[1:]
                return {parts[i]: int(parts[i + 1]) for i in range(0, len(parts), 2)}
    return {}


def kernel_memory_snapshot():
    """What the kernel holds for sockets, system wide: slab, and TCP buffer pages."""
    mem = meminfo_bytes()
    tcp = tcp_sockstat()
    return {
        "slab_bytes": mem.get("Slab", 0),
        "sunreclaim_bytes": mem.get("SUnreclaim", 0),
        "tcp_mem_bytes": tcp.get("mem", 0) * PAGE_BYTES,
        "tcp_inuse": tcp.get("inuse", 0),
        "tcp_tw": tcp.get("tw", 0),
    }


def read_sysctl(name):
    path = "/proc/sys/" + name.replace(".", "/")
    try:
        with open(path) as f:
            return f.read().split()
    except OSError:
        return None


def open_files_limit(pid):
    """(soft, hard) 'Max open files' of a running process."""
    with open(f"/proc/{pid}/limits") as f:
        for line in f:
            if line.startswith("Max open files"):
                parts = line.split()
                return parts[3], parts[4]
    return None, None


def slab_caches():
    """{cache: bytes in active objects} from /proc/slabinfo, or {} when it is not readable
    (it needs root). Used to say which kernel objects an idle connection costs."""
    caches = {}
    try:
        with open("/proc/slabinfo") as f:
            for line in f:
                if line.startswith(("slabinfo", "#")):
                    continue
                parts = line.split()
                caches[parts[0]] = int(parts[1]) * int(parts[3])
    except OSError:
        return {}
    return caches
