namespace DaprVideo.Settings;

/// <summary>On or off: 1/true/yes/on or 0/false/no/off, any case.</summary>
public sealed record SwitchSetting(string Name, bool Default, string Meaning) : Setting(Name, Meaning)
{
    public override string DefaultText => Default ? "true" : "false";

    public override string AllowedText => "true or false";
}
