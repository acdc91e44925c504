"Data-parallel training on the CPU: 2 processes (gloo) under torchrun, the same code path as N GPUs under NCCL."
import json, os, subprocess, sys
from pathlib import Path

def launch(out, hashes, steps, mode, *extra, nproc=2):
    import socket
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]  # torchrun needs a real free port
    env = dict(os.environ, HF_HUB_OFFLINE='1', OMP_NUM_THREADS='1')
    return subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', str(nproc), '--master_addr', '127.0.0.1',
                           '--master_port', str(port),
                           str(Path(__file__).parent/'ddp_worker.py'), str(out), str(hashes), str(steps), mode, *extra],
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
    assert m['adapter_sha256_by_rank'][0] == m['adapter_sha256_by_rank'][1]                     # train's own check agrees
    assert sorted(p.name for p in (out/'checkpoints').glob('checkpoint-*')) == ['checkpoint-3', 'checkpoint-6']
    r = launch(out, hashes, 9, 'resume')
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    m = json.loads((out/'manifest.json').read_text())
    assert m['steps'] == 9 and m['resumed_from'].endswith('checkpoint-6')
    assert (hashes/'rank0-9.txt').read_text() == (hashes/'rank1-9.txt').read_text()

def test_two_processes_follow_the_loss_curve_of_one_with_the_same_global_batch(tmp_path):
    "2 ranks x batch 4 against 1 process x batch 8 (the same 8 rows a step): the data-parallel run is the same training."
    curves = {}
    for nproc, batch in ((1, 8), (2, 4)):
        r = launch(tmp_path/f'run{nproc}', tmp_path/f'h{nproc}', 8, 'fresh', f'batch_size={batch}', 'logging_steps=1',
                   'lora.dropout=0', nproc=nproc)
        assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
        curves[nproc] = json.loads((tmp_path/f'run{nproc}'/'manifest.json').read_text())['train_loss']
    assert len(curves[1]) == len(curves[2]) == 8
    gap = max(abs(a - b) / a for a, b in zip(curves[1], curves[2]))
    assert gap < 0.01, (gap, curves)                                   # within 1% at every step
    assert curves[2][-1] < curves[2][0] - 0.1                          # and it is learning, not flat
