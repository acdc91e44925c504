"""Copy the outputs of notebooks that `bench/run_nb.py` executed into the notebooks in nbs/, so the docs show what
the cells printed (stdout and short results; progress bars, warnings, trainer log lines and long reprs stay out).
A cell is matched by its code (directives aside); cells whose code changed since the run keep what they had and
are listed. By default only `#| cuda` cells are taken (from `bash bench/gpu.sh tests`); with --cpu, every other
code cell (from `python bench/run_nb.py OUT nbs/NB.ipynb` on this machine).
usage: python bench/keep_gpu_outputs.py [--cpu] RUN_DIR [RUN_DIR ...]   (later folders win)"""
import json, re, sys
from pathlib import Path

def _src(cell): return ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']

def _code(cell): return '\n'.join(l for l in _src(cell).splitlines() if not l.startswith('#|')).strip()

def _is_cuda(cell): return any(l.strip() in ('#| cuda', '#|cuda') for l in _src(cell).splitlines())

_LOG = re.compile(r"^\s*\{'(?:loss|eval_loss|train_runtime|eval_runtime)'.*$\n?", re.M)  # the Trainer's log dicts

def _shown(o):
    "The output as readers should see it, or None."
    if o['output_type'] == 'stream':
        if o.get('name') != 'stdout': return None
        text = _LOG.sub('', ''.join(o['text']))
        text = '\n'.join(l.rsplit('\r', 1)[-1] for l in text.split('\n'))  # a progress bar's last state only
        return dict(o, text=text) if text.strip() else None
    text = o.get('data', {}).get('text/plain', o.get('text', ''))
    return o if len(''.join(text)) < 4000 or 'text/html' in o.get('data', {}) else None

def keep(run_dirs, cpu=False, nbs=Path('nbs')):
    ran = {}
    for d in run_dirs:
        for f in Path(d).glob('*.ipynb'):
            for c in json.loads(f.read_text())['cells']:
                if c['cell_type'] == 'code': ran[(f.name, _code(c))] = c.get('outputs', [])
    for f in sorted(nbs.glob('*.ipynb')):
        if not any(k[0] == f.name for k in ran): continue
        nb, n, missing = json.loads(f.read_text()), 0, []
        for c in nb['cells']:
            if c['cell_type'] != 'code' or _is_cuda(c) != (not cpu) or 'nbdev_export()' in _src(c): continue
            if 'eval: false' in _src(c): continue
            out = ran.get((f.name, _code(c)))
            if out is None: missing.append(_code(c).splitlines()[0][:60] if _code(c) else '(empty)'); continue
            c['outputs'] = [s for s in map(_shown, out) if s]; n += 1
        if n or missing:
            f.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
            print(f"{f.name}: {n} {'CPU' if cpu else 'GPU'} cell(s) with outputs" + (f"; not in these runs: {missing}" if missing else ''))

if __name__ == '__main__':
    args = sys.argv[1:]
    keep([a for a in args if a != '--cpu'], cpu='--cpu' in args)
