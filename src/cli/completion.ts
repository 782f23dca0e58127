// `brine completion bash|zsh`: a completion script made from the command tree itself, so a new
// command or option completes without touching this file. Environments come from pillar/*/env.yaml.
import { InvalidArgumentError, type Command } from 'commander';

/** Each command's name with its long and short options. */
function commandsOf(program: Command): { name: string; options: string[] }[] {
  return program.commands.map((c) => ({
    name: c.name(),
    options: [...c.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f))), '--help'],
  }));
}

/** Commands whose first argument is an environment. */
const TAKES_ENV = ['provision', 'history'];

function bashScript(program: Command): string {
  const cmds = commandsOf(program);
  const cases = cmds.map((c) => `    ${c.name}) opts=${JSON.stringify(c.options.join(' '))} ;;`).join('\n');
  return `# brine completion for bash: eval "$(brine completion bash)" in ~/.bashrc
_brine() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmd=\${COMP_WORDS[1]} opts=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W ${JSON.stringify(cmds.map((c) => c.name).join(' ') + ' --help --version')} -- "$cur"))
    return
  fi
  case "$cmd" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [[ " ${TAKES_ENV.join(' ')} " == *" $cmd "* && "$COMP_CWORD" -eq 2 ]] || [[ "\${COMP_WORDS[COMP_CWORD-1]}" == "--env" || "\${COMP_WORDS[COMP_CWORD-1]}" == "-e" ]]; then
    local envs=$(for f in pillar/*/env.yaml; do [ -e "$f" ] && basename "$(dirname "$f")"; done)
    COMPREPLY=($(compgen -W "$envs" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F _brine brine
`;
}

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script: eval "$(brine completion bash)" (or zsh)')
    .argument('<shell>', 'bash or zsh', (v: string) => {
      if (v !== 'bash' && v !== 'zsh') throw new InvalidArgumentError('expected bash or zsh');
      return v;
    })
    .action((shell: 'bash' | 'zsh') => {
      // zsh runs the bash function through its bashcompinit layer.
      const prefix = shell === 'zsh' ? '# brine completion for zsh: eval "$(brine completion zsh)" in ~/.zshrc\nautoload -U +X bashcompinit && bashcompinit\n' : '';
      process.stdout.write(prefix + bashScript(program));
    });
}
