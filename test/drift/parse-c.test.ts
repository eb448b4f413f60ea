/** The C grammar finds functions and their lines; the fingerprint ignores comments, whitespace
 *  and layout, and sees any change of a token. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fingerprintTokens } from '../../src/drift/fingerprint';
import { loadCParser } from '../../src/drift/parse-c';

const SRC = `/* header */
static int fake_lookup(struct device *dev, int id)
{
	/* a comment */
	if (!dev)   // another
		return -ENODEV;
	return fake_table[id] + 1;
}

#ifdef CONFIG_FAKE
struct fake_ops *fake_ops_of(struct device *dev)
{
	return dev->ops;
}
#endif

int __init fake_init(void)
{
	return fake_lookup(NULL, 0);
}

static __printf(2, 3) struct device *
fake_log(struct device *dev, const char *fmt, ...)
{
	return dev;
}
`;

test('every definition is found with its lines, inside #ifdef and behind a kernel annotation (__init, __printf(2, 3)) too', async () => {
  const p = await loadCParser();
  const fns = p.functions(SRC);
  assert.deepEqual(fns.map((f) => [f.name, f.startLine, f.endLine]), [['fake_lookup', 2, 8], ['fake_ops_of', 11, 14], ['fake_init', 17, 20], ['fake_log', 22, 26]]);
});

test('tokens: no comments, no whitespace, the own name as $fn, string contents kept', async () => {
  const p = await loadCParser();
  const [f] = p.functions('static void f(void)\n{\n\t/* x */ g("a  b", \' \'); // y\n}\n');
  assert.deepEqual(f.tokens, ['static', 'void', '$fn', '(', 'void', ')', '{', 'g', '(', '"', 'a  b', '"', ',', "'", ' ', "'", ')', ';', '}']);
});

test('the fingerprint: the same for a reformatted definition, another for a changed token', async () => {
  const p = await loadCParser();
  const fp = (text: string) => fingerprintTokens(p.functions(text)[0].tokens);
  const a = fp('int f(int x)\n{\n\treturn x + 1;\n}\n');
  assert.equal(fp('int\nf (int x) { /* same */ return x+1; }\n'), a);
  assert.notEqual(fp('int f(int x)\n{\n\treturn x + 2;\n}\n'), a);
  assert.notEqual(fp('int f(long x)\n{\n\treturn x + 1;\n}\n'), a, 'the signature counts');
  assert.equal(fp('int g(int x)\n{\n\treturn x + 1;\n}\n'), a, 'the own name does not (a rename is recognised by its body)');
  assert.match(a, /^[0-9a-f]{16}$/);
});
