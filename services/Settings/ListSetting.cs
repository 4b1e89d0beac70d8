namespace DaprVideo.Settings;

/// <summary>A ':'-separated list (like PATH), empty entries skipped; with <see cref="Directories"/> every entry must be an existing folder.</summary>
public sealed record ListSetting(string Name, string Meaning) : Setting(Name, Meaning)
{
    public bool Directories { get; init; }

    public override string DefaultText => "–";

    public override string AllowedText => Directories ? "existing folders separated by ':'" : "entries separated by ':'";
}
