using DaprVideo.Settings;

namespace DaprVideo.Tests.Settings;

/// <summary>RETENTION_MAX_AGE and RETENTION_MAX_BYTES: the words they take, and the one line a bad value gets.</summary>
public class RetentionSettingsTests
{
    private static SettingsReader With(string name, string value) => new(n => n == name ? value : null);

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("12h", 43200)]
    [InlineData("7d", 604800)]
    [InlineData(" 1s ", 1)]
    public void Durations(string text, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), With("RETENTION_MAX_AGE", text).Duration(SettingsCatalogue.RetentionMaxAge));

    [Theory]
    [InlineData("0s")]
    [InlineData("7")]
    [InlineData("7D")]
    [InlineData("1.5h")]
    [InlineData("-1d")]
    [InlineData("36501d")]
    [InlineData("7 d")]
    public void Bad_durations_name_the_variable(string text)
    {
        var e = Assert.Throws<SettingsException>(() => With("RETENTION_MAX_AGE", text).Duration(SettingsCatalogue.RetentionMaxAge));
        Assert.Contains("RETENTION_MAX_AGE", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("1048576", 1048576L)]
    [InlineData("500M", 500L << 20)]
    [InlineData("50G", 50L << 30)]
    [InlineData("2t", 2L << 40)]
    [InlineData("1k", 1024L)]
    public void Sizes_are_powers_of_1024(string text, long bytes) =>
        Assert.Equal(bytes, With("RETENTION_MAX_BYTES", text).ByteSize(SettingsCatalogue.RetentionMaxBytes));

    [Theory]
    [InlineData("0")]
    [InlineData("1.5G")]
    [InlineData("20GB")]
    [InlineData("20GiB")]
    [InlineData("1025T")]
    [InlineData("lots")]
    public void Bad_sizes_name_the_variable(string text)
    {
        var e = Assert.Throws<SettingsException>(() => With("RETENTION_MAX_BYTES", text).ByteSize(SettingsCatalogue.RetentionMaxBytes));
        Assert.Contains("RETENTION_MAX_BYTES", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unset_means_off()
    {
        var none = new SettingsReader(_ => null);
        Assert.Null(none.Duration(SettingsCatalogue.RetentionMaxAge));
        Assert.Null(none.ByteSize(SettingsCatalogue.RetentionMaxBytes));
    }
}
