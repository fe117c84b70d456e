// Lint rules: typescript-eslint strict + the house rules of STYLE.md that a linter can check.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'dist-*/', 'node_modules/', 'artifacts/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error', 'info'] }],
    },
  },
  {
    // AMO's linter flags every innerHTML; the one the add-on may contain is bundled Preact's (scripts/lint-firefox.ts).
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'Render text, not HTML: AMO review rejects it.' },
        { selector: 'AssignmentExpression[left.property.name=/^(innerHTML|outerHTML)$/]', message: 'Use textContent or Preact: AMO review rejects innerHTML.' },
      ],
    },
  },
  {
    files: ['scripts/**', 'tools/**', 'test/**', 'src/collector/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Vitest reads a fixture's dependencies from its destructured first parameter: `{}` is a fixture that needs none.
    files: ['test/**'],
    rules: { 'no-empty-pattern': ['error', { allowObjectPatternsAsParameters: true }] },
  },
);
