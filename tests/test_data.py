"Data pipeline checks that need more than the notebook shows: the real medical-o1 schema, the stock template, bad input."
import json
import pytest
from datasets import Dataset
from medcot.data import (read_source, normalize, tokenize_example, format_example, DataConfig, prepare_data,
                         r1_chat_template, split_think, MedcotError)
from conftest import DEMO

@pytest.mark.skipif(not DEMO.exists(), reason='the shared medical-o1 demo file is absent')
def test_medical_o1_demo_keeps_reasoning(tok):
    recs = normalize(read_source(str(DEMO)), source=DEMO.name)
    assert len(recs) == 198
    assert recs[0]['options'] is None  # the demo's options belong to its separate MedQA stem
    for r in recs:
        t = tokenize_example(r, tok, max_seq_length=100_000)
        assert t['status'] == 'ok'
        labelled = tok.decode([i for i, l in zip(t['input_ids'], t['labels']) if l != -100])
        assert labelled == r['reasoning'] + '\n</think>\n\n' + r['answer'] + tok.eos_token

@pytest.mark.skipif(not DEMO.exists(), reason='the shared medical-o1 demo file is absent')
def test_medqa_columns_of_demo_read_as_eval_items():
    items = normalize(read_source(str(DEMO)), columns={'question': 'question', 'answer': 'answer', 'options': 'options',
                      'answer_idx': 'answer_idx'}, require_reasoning=False, verbose=False)
    assert len(items) == 198 and all(i['answer_idx'] in i['options'] for i in items)

def test_stock_template_drops_reasoning_but_medcot_keeps_it(tok):
    assert tok.chat_template == r1_chat_template()  # the tiny tokenizer carries TRL's byte-for-byte stock template
    rec = dict(question='Why is the sky blue?', reasoning='Rayleigh scattering favours short wavelengths.', answer='Scattering.')
    stock = tok.apply_chat_template([{'role': 'user', 'content': rec['question']},
        {'role': 'assistant', 'content': f"<think>\n{rec['reasoning']}\n</think>\n\n{rec['answer']}"}], tokenize=False)
    assert rec['reasoning'] not in stock
    ex = format_example(rec, tok)
    assert rec['reasoning'] in ex['completion']
    # TRL's training variant renders the same text medcot produces
    train_tpl = tok.apply_chat_template([{'role': 'user', 'content': rec['question']},
        {'role': 'assistant', 'content': f"<think>\n{rec['reasoning']}\n</think>\n\n{rec['answer']}"}], tokenize=False,
        chat_template=r1_chat_template(training=True))
    assert train_tpl.replace('<｜Assistant｜><think>\n', '<｜Assistant｜>') == (ex['prompt'] + ex['completion']).replace('<｜Assistant｜><think>\n', '<｜Assistant｜>')

def test_pad_is_not_eos_and_eos_is_learned(tok):
    assert tok.pad_token_id != tok.eos_token_id
    t = tokenize_example(dict(question='q', reasoning='r', answer='a'), tok)
    assert t['labels'][-1] == tok.eos_token_id and t['labels'][0] == -100

def test_missing_columns_are_named(tmp_path):
    p = tmp_path/'x.jsonl'; p.write_text('{"prompt": "a", "cot": "b"}\n')
    with pytest.raises(MedcotError, match=r"columns \['cot', 'prompt'\]"): normalize(read_source(str(p)))

def test_malformed_jsonl_names_file_and_line(tmp_path):
    p = tmp_path/'data.jsonl'
    p.write_text('{"Question": "a", "Complex_CoT": "b", "Response": "c"}\n\n{"Question": "a"\n')
    with pytest.raises(ValueError, match='data.jsonl:3: malformed JSON'): read_source(str(p))

def test_non_string_field_is_an_error(tmp_path):
    ds = Dataset.from_list([{'Question': 'a', 'Complex_CoT': 'b', 'Response': 'c'}, {'Question': 'd', 'Complex_CoT': 'e', 'Response': None}])
    with pytest.raises(ValueError, match=r"record 2: field 'answer' \(column 'Response'\) is missing"): normalize(ds)

def test_unknown_file_type(tmp_path):
    (tmp_path/'a.txt').write_text('x')
    with pytest.raises(MedcotError, match='unknown file type'): read_source(str(tmp_path/'a.txt'))

def test_csv_parquet_and_column_mapping(tmp_path, tok):
    import pandas as pd
    df = pd.DataFrame({'q': ['What causes scurvy?', 'What causes rickets?'], 'why': ['Low vitamin C.', 'Low vitamin D.'], 'ans': ['Vitamin C deficiency', 'Vitamin D deficiency']})
    df.to_csv(tmp_path/'d.csv', index=False); df.to_parquet(tmp_path/'d.parquet')
    m = {'question': 'q', 'reasoning': 'why', 'answer': 'ans'}
    for f in ('d.csv', 'd.parquet'):
        recs = normalize(read_source(str(tmp_path/f)), columns=m, verbose=False)
        assert recs[1]['answer'] == 'Vitamin D deficiency'

def test_messages_schema():
    ds = [{'messages': [{'role': 'user', 'content': 'Q?'}, {'role': 'assistant', 'content': '<think>\nR.\n</think>\n\nA.'}]}]
    assert normalize(read_source(ds), verbose=False)[0] == dict(question='Q?', reasoning='R.', answer='A.', options=None, answer_idx=None)

def test_length_policy_counts_and_never_cuts_answer(tok):
    full = prepare_data(DataConfig(source='sample', max_seq_length=100_000), tok, verbose=False)
    longest = int(full.lengths['total'].max())
    for pol in ('shorten', 'drop'):
        pdat = prepare_data(DataConfig(source='sample', max_seq_length=longest - 50, overlong=pol), tok, verbose=False)
        c = pdat.counts
        assert c['records'] == 49 and c['kept'] + c['dropped'] == 49
        assert (c['shortened'] > 0) == (pol == 'shorten') and (c['dropped'] > 0) == (pol == 'drop')
        for ids, labels in zip(pdat.train['input_ids'], pdat.train['labels']):
            assert len(ids) <= longest - 50 and labels[-1] == tok.eos_token_id

def test_bundled_sample_is_varied():
    recs = normalize(read_source('sample'), verbose=False)
    raw = read_source('sample')
    assert len(recs) >= 40 and len(set(raw['specialty'])) >= 10
    assert sum(r['options'] is not None for r in recs) >= 10
    assert min(len(r['reasoning'].split()) for r in recs) >= 150
