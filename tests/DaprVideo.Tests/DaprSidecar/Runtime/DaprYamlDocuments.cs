namespace DaprVideo.Tests.DaprSidecar.Runtime;

/// <summary>
/// How daprd's disk loader cuts a resource file into documents (dapr <c>pkg/internal/loader/disk/manifest.go</c>
/// <c>splitYamlDoc</c>): at every "\n---", dropping the rest of that line. It is textual, so "\n----" or
/// "\n--- # note" also split, and a leading "---" on the first line stays part of the first document.
/// </summary>
internal static class DaprYamlDocuments
{
    private const string Separator = "\n---";

    public static IReadOnlyList<string> Split(string text)
    {
        var docs = new List<string>();
        var pos = 0;
        while (pos < text.Length)
        {
            var i = text.IndexOf(Separator, pos, StringComparison.Ordinal);
            if (i < 0) { docs.Add(text[pos..]); break; }
            var afterSep = i + Separator.Length;
            var eol = text.IndexOf('\n', afterSep);
            if (eol < 0)
            {
                // Separator on the unterminated last line: bufio.Scanner only yields the document before it when
                // nothing follows "---"; with text after it the scanner stops and that document is lost.
                if (afterSep == text.Length) docs.Add(text[pos..i]);
                break;
            }
            docs.Add(text[pos..i]);
            pos = eol + 1;
        }
        return docs;
    }
}
