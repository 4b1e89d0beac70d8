using System.Globalization;

namespace DaprVideo.Core.Pipeline;

/// <summary>
/// While analysis is degraded, admits at most one new stream per settling time. A camera's load shows in the lag only
/// after a few of its chunks; cameras admitted before then would all be judged by a load that does not include it yet,
/// and together they could push every stream past the floor. At the full rate there is no such risk: admitted at once.
/// Thread-safe.
/// </summary>
public sealed class AdmissionPacing
{
    private readonly Lock _gate = new();
    private DateTimeOffset _lastAdmitted = DateTimeOffset.MinValue;

    /// <summary>Null (and the admission counted) unless degraded and the last admission is younger than <paramref name="settle"/>.</summary>
    public AdmissionRefusal? Admit(bool degraded, double rateFps, TimeSpan settle, DateTimeOffset now)
    {
        lock (_gate)
        {
            var since = now - _lastAdmitted;
            if (degraded && since >= TimeSpan.Zero && since < settle)
            {
                var wait = TimeSpan.FromSeconds(Math.Ceiling((settle - since).TotalSeconds));
                return new AdmissionRefusal(string.Create(CultureInfo.InvariantCulture,
                    $"Analysis is degraded to {rateFps:0.##} fps and the last camera added has not shown its load yet; try again in {wait.TotalSeconds:0} s."), wait);
            }
            _lastAdmitted = now;
            return null;
        }
    }
}
