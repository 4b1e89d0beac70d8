using System.Globalization;

namespace DaprVideo.Embedded.Cli;

/// <summary>
/// Positional arguments and <c>--name value</c> options of one command. Every option must be
/// claimed by the command; anything left over is reported, so typos never pass silently.
/// </summary>
public sealed class CommandArguments
{
    private readonly List<string> _positional = [];
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    public CommandArguments(IEnumerable<string> args, IReadOnlySet<string> flags)
    {
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var arg = e.Current;
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2)
            {
                var name = arg[2..];
                if (flags.Contains(name)) { _options[name] = null; continue; }
                if (!e.MoveNext()) throw new UsageException($"Option --{name} needs a value.");
                _options[name] = e.Current;
            }
            else
            {
                _positional.Add(arg);
            }
        }
    }

    public string Positional(int index, string name) =>
        index < _positional.Count ? _positional[index] : throw new UsageException($"Missing {name}.");

    public string? Option(string name) => _options.Remove(name, out var value) ? value : null;

    public bool Flag(string name) => _options.Remove(name);

    public double? DoubleOption(string name, double min, double max)
    {
        if (Option(name) is not { } text) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value >= min && value <= max))
            throw new UsageException($"--{name} must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, not '{text}'.");
        return value;
    }

    public int? IntOption(string name, int min, int max)
    {
        if (Option(name) is not { } text) return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new UsageException($"--{name} must be a whole number from {min} to {max}, not '{text}'.");
        return value;
    }

    /// <summary>Call after reading everything the command knows.</summary>
    public void EnsureNoneLeft(int positionalCount)
    {
        if (_options.Count > 0) throw new UsageException($"Unknown option --{_options.Keys.First()}.");
        if (_positional.Count > positionalCount) throw new UsageException($"Unexpected argument '{_positional[positionalCount]}'.");
    }
}
