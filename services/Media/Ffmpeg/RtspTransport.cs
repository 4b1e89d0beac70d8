namespace DaprVideo.Media.Ffmpeg;

/// <summary>
/// How ffmpeg carries an RTSP camera's video: interleaved in the RTSP TCP connection (through NAT and firewalls, no
/// loss) or as RTP over UDP (what some cameras only offer; packets may be lost).
/// </summary>
public enum RtspTransport
{
    Tcp,
    Udp,
}
