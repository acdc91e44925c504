"Data-parallel training on the CPU: 2 processes (gloo) under torchrun, the same code path as N GPUs under NCCL."
import json, os, subprocess, sys
from pathlib import Path

def launch(out, hashes, steps, mode):
    import socket
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]  # torchrun needs a real free port
    env = dict(os.environ, HF_HUB_OFFLINE='1', OMP_NUM_THREADS='1')
    return subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2', '--master_addr', '127.0.0.1',
                           '--master_port', str(port),
                           str(Path(__file__).parent/'ddp_worker.py'), str(out), str(hashes), str(steps), mode],
                          capture_output=True, text=True, env=env, timeout=600)

def test_two_processes_train_one_identical_adapter_and_resume(tmp_path):
    out, hashes = tmp_path/'run', tmp_path/'hashes'
    r = launch(out, hashes, 6, 'fresh')
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    h = {p.name: p.read_text() for p in hashes.iterdir()}
    assert set(h) == {'rank0-6.txt', 'rank1-6.txt'} and h['rank0-6.txt'] == h['rank1-6.txt']  # ranks agree
    assert sorted(p.name for p in tmp_path.iterdir()) == ['hashes', 'run']                       # one output directory
    m = json.loads((out/'manifest.json').read_text())
    assert m['processes'] == 2 and m['effective_batch'] == 4 * 1 * 2 and m['steps'] == 6
    assert sorted(p.name for p in (out/'checkpoints').glob('checkpoint-*')) == ['checkpoint-3', 'checkpoint-6']
    r = launch(out, hashes, 9, 'resume')
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    m = json.loads((out/'manifest.json').read_text())
    assert m['steps'] == 9 and m['resumed_from'].endswith('checkpoint-6')
    assert (hashes/'rank0-9.txt').read_text() == (hashes/'rank1-9.txt').read_text()
