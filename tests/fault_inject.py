"""Imported first by tests/test_faults.py's child process: counts every file write, rename and delete under
MEDCOT_FAULT_DIR and SIGKILLs the process at event number MEDCOT_KILL_AT (a write is cut to half its bytes
first, as a kill in the middle of it would leave it). MEDCOT_EVENTS names a file that gets one line per event."""
import builtins, io, os, shutil, signal, sys

ROOT = os.path.realpath(os.environ['MEDCOT_FAULT_DIR'])
KILL_AT, LOG = int(os.environ.get('MEDCOT_KILL_AT', '0')), os.environ.get('MEDCOT_EVENTS')
count = 0

def _ours(path)->bool:
    try: return os.path.realpath(os.fspath(path)).startswith(ROOT)
    except TypeError: return False

def _event(kind:str, path, written=None):
    global count
    if not _ours(path): return
    count += 1
    if LOG:
        fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        os.write(fd, f"{count}\t{kind}\t{os.path.relpath(os.fspath(path), ROOT)}\n".encode()); os.close(fd)
    if count == KILL_AT:
        if written and os.path.isfile(written): os.truncate(written, os.path.getsize(written) // 2)
        os.kill(os.getpid(), signal.SIGKILL)

def _wrap_before(fn, kind):
    def w(src, *a, **k): _event(kind, src); return fn(src, *a, **k)
    return w

os.rename, os.replace, shutil.rmtree = _wrap_before(os.rename, 'rename'), _wrap_before(os.replace, 'replace'), _wrap_before(shutil.rmtree, 'rmtree')
_open = builtins.open
def _patched_open(file, mode='r', *a, **k):
    f = _open(file, mode, *a, **k)
    if any(c in mode for c in 'wax') and not isinstance(file, int): _event('open-for-write', file, written=file)
    return f
builtins.open = io.open = _patched_open

import torch, safetensors.torch as st  # patched before transformers/peft import them by name
def _after(fn, kind, pos):
    def w(*a, **k):
        out = fn(*a, **k); p = a[pos] if len(a) > pos else k.get('f', k.get('filename'))
        if isinstance(p, (str, os.PathLike)): _event(kind, p, written=p)
        return out
    return w
torch.save, st.save_file = _after(torch.save, 'torch.save', 1), _after(st.save_file, 'save_file', 1)

if __name__ == '__main__':
    from medcot.cli import main
    main(sys.argv[1:])
