/** A repository name as the server has it (decoded), with its folder part quieter than its last segment. */
import './repo-name.css';
export function RepoName({ name, className }: { name: string; className?: string }) {
  const cut = name.lastIndexOf('\\') + 1;
  return (
    <span className={`repo-fullname${className ? ` ${className}` : ''}`} title={name}>
      {cut > 0 && (
        <span className="repo-prefix">
          {name.slice(0, cut).split('\\').slice(0, -1).map((part, i) => (
            // A line may break after each backslash, never inside a segment.
            <span key={i}>{part}\<wbr /></span>
          ))}
        </span>
      )}
      <span className="repo-leaf">{name.slice(cut)}</span>
    </span>
  );
}
