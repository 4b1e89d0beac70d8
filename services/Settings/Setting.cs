namespace DaprVideo.Settings;

/// <summary>
/// One environment variable of the catalogue: its name, what it means, its default and the values it takes.
/// The subtypes say how it is parsed; <see cref="SettingsReader"/> reads them.
/// </summary>
/// <param name="Name">The variable, as users write it (<c>SEGMENT_SECONDS</c>).</param>
/// <param name="Meaning">One line for the README table.</param>
public abstract record Setting(string Name, string Meaning)
{
    /// <summary>The default as the README shows it; "–" when unset means off or none.</summary>
    public abstract string DefaultText { get; }

    /// <summary>The values it takes, as the README shows them.</summary>
    public abstract string AllowedText { get; }

    /// <summary>The error a bad <paramref name="value"/> stops the host with.</summary>
    public SettingsException Invalid(string value) => new(Name, $"must be {AllowedText}, not '{value}'.");
}
