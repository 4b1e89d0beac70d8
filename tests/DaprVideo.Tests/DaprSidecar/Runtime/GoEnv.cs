using System.Collections;
using System.Text;

namespace DaprVideo.Tests.DaprSidecar.Runtime;

/// <summary>Go's <c>os</c> environment helpers as daprd uses them.</summary>
internal static class GoEnv
{
    public static IReadOnlyDictionary<string, string> Current()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            env[(string)e.Key] = (string?)e.Value ?? "";
        return env;
    }

    /// <summary>Go <c>os.ExpandEnv</c>: <c>$NAME</c> / <c>${NAME}</c> → value or ""; a lone "$" stays; bad <c>${</c> syntax is eaten.</summary>
    public static string Expand(string s, IReadOnlyDictionary<string, string> env)
    {
        var sb = new StringBuilder();
        var i = 0;
        for (var j = 0; j < s.Length; j++)
        {
            if (s[j] != '$' || j + 1 >= s.Length) continue;
            sb.Append(s, i, j - i);
            var (name, w) = ShellName(s[(j + 1)..]);
            if (name.Length == 0 && w > 0) { /* invalid syntax: eaten */ }
            else if (name.Length == 0) sb.Append('$');
            else sb.Append(env.GetValueOrDefault(name, ""));
            j += w;
            i = j + 1;
        }
        if (i == 0) return s;
        sb.Append(s, i, s.Length - i);
        return sb.ToString();
    }

    private static (string Name, int Width) ShellName(string s)
    {
        if (s[0] == '{')
        {
            if (s.Length > 2 && IsSpecial(s[1]) && s[2] == '}') return (s[1..2], 3);
            for (var i = 1; i < s.Length; i++)
                if (s[i] == '}') return i == 1 ? ("", 2) : (s[1..i], i + 1);
            return ("", 1);
        }
        if (IsSpecial(s[0])) return (s[..1], 1);
        var n = 0;
        while (n < s.Length && (s[n] == '_' || char.IsAsciiLetterOrDigit(s[n]))) n++;
        return (s[..n], n);
    }

    private static bool IsSpecial(char c) => c is '*' or '#' or '$' or '@' or '!' or '?' or '-' || char.IsAsciiDigit(c);
}
