// Salt's states are usually Jinja; brine's are Handlebars. A Jinja file fails as dozens of YAML
// errors, so it is recognised first and refused once, with the Handlebars form of what it used.

interface Construct {
  pattern: RegExp;
  jinja: string;
  handlebars: string;
}

const CONSTRUCTS: Construct[] = [
  { pattern: /\bsalt\[['"]/, jinja: "{{ salt['pillar.get']('app:port', 8000) }}", handlebars: '{{default pillar.app.port 8000}}' },
  { pattern: /\b(pillar|grains)\.get\(/, jinja: "{{ pillar.get('app:port', 8000) }}", handlebars: '{{default pillar.app.port 8000}}' },
  { pattern: /\{\{-?\s*(pillar|grains)\[/, jinja: "{{ pillar['app']['name'] }}, {{ grains['id'] }}", handlebars: '{{pillar.app.name}}, {{grains.id}}' },
  { pattern: /\{%-?\s*if\b/, jinja: "{% if pillar.get('tls') %} … {% else %} … {% endif %}", handlebars: '{{#if pillar.tls}} … {{else}} … {{/if}}' },
  { pattern: /\{%-?\s*for\b/, jinja: '{% for name, dev in pillar.devs.items() %} {{ name }} {% endfor %}', handlebars: '{{#each pillar.devs}} {{@key}} {{/each}}' },
  { pattern: /\{%-?\s*(set|import|from|macro|include)\b/, jinja: "{% set port = pillar.get('port', 80) %}", handlebars: 'no variables: use {{default pillar.port 80}} where it is needed, or {{#with pillar.app}} … {{/with}}' },
  { pattern: /\{\{-?\s*[^#!{}][^}]*\|\s*\w+/, jinja: '{{ value | default(80) }}, {{ list | join(",") }}', handlebars: '{{default value 80}}, {{join list ","}}' },
  { pattern: /\{%|(?<!\{)\{#/, jinja: '{% … %} or {# … #}', handlebars: '{{#if}} / {{#each}} blocks; comments are {{!-- … --}}' },
];

/** One problem for a Jinja file (its first Jinja line and the Handlebars equivalent), or nothing. */
export function jinjaProblem(text: string): { line: number; message: string } | undefined {
  const lines = text.split('\n');
  const any = (l: string) => CONSTRUCTS.some((c) => c.pattern.test(l));
  const i = lines.findIndex(any);
  if (i < 0) return undefined;
  const c = CONSTRUCTS.find((x) => x.pattern.test(lines[i]))!;
  return {
    line: i + 1,
    message: `this file is Jinja, and brine's templates are Handlebars (pillar files are plain YAML; nothing else in this file was read): \`${c.jinja}\` is \`${c.handlebars}\` in Handlebars; see README, "Coming from Salt"`,
  };
  return undefined;
}
