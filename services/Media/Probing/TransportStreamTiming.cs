using System.Globalization;
using DaprVideo.Core.Video;

namespace DaprVideo.Media.Probing;

/// <summary>
/// Reads a chunk's timing from its MPEG-TS packets in managed code: PAT → PMT → the first video elementary
/// stream → the PTS of each of its PES packets. A capture needs this for every chunk, and an ffprobe start
/// costs ~80 ms of CPU (dynamic linking) where this costs well under a millisecond.
/// </summary>
/// <remarks>
/// Syntax from ISO/IEC 13818-1 (transport packet 2.4.3.2, PAT 2.4.4.3, PMT 2.4.4.8, PES header 2.4.3.6, CRC annex A);
/// stream types as ffmpeg's demuxer maps them (libavformat/mpegts.c, <c>ISO_types</c>). Timestamps are 33-bit
/// 90 kHz counters: each is unwrapped against the one before it, so a chunk that crosses the wrap (every 26.5 h)
/// stays monotonic, and the chunk as a whole is placed nearest the start the caller expects.
/// </remarks>
public static class TransportStreamTiming
{
    public const int PacketSize = 188;
    private const byte SyncByte = 0x47;
    private const long Wrap = 1L << 33;
    private const double ClockHz = 90_000;

    /// <summary>
    /// Timing of the first video stream. <paramref name="expectedStartSeconds"/> (e.g. the previous chunk's end) picks
    /// which 26.5 h turn of the 33-bit clock the chunk is on; without it the first timestamp is taken as it is.
    /// <paramref name="frameSecondsHint"/> is the frame duration used when the chunk has a single frame (with more, it is
    /// the typical step between consecutive presentation times). Throws <see cref="MediaException"/> when the bytes are
    /// not whole, readable transport packets with timed video.
    /// </summary>
    public static ChunkTiming Read(ReadOnlySpan<byte> mpegTs, double? expectedStartSeconds = null, double? frameSecondsHint = null)
    {
        var what = $"Chunk of {mpegTs.Length} bytes";
        if (mpegTs.IsEmpty) throw new MediaException("Chunk is empty (0 bytes), not MPEG-TS video.");
        if (mpegTs.Length % PacketSize != 0)
            throw new MediaException($"{what} is not whole {PacketSize}-byte MPEG-TS packets ({mpegTs.Length % PacketSize} bytes over): truncated or not MPEG-TS.");

        var (videoPid, streamType) = FindVideoStream(mpegTs, what);
        var frames = ReadPresentationTimes(mpegTs, videoPid, what);
        if (frames.Count == 0) throw new MediaException($"{what} has no timed video frames (PID {videoPid}).");

        var first = frames.Min();
        var last = frames.Max();
        var frameTicks = FrameTicks(frames) ?? (frameSecondsHint is { } hint && double.IsFinite(hint) && hint > 0
            ? hint * ClockHz
            : throw new MediaException($"{what} has a single frame and no frame rate to give it a duration."));
        if (expectedStartSeconds is { } expected && double.IsFinite(expected))
        {
            // Whole turns of the 33-bit clock between the expected start and this one.
            var turns = Math.Round((expected * ClockHz - first) / Wrap);
            first += (long)turns * Wrap;
            last += (long)turns * Wrap;
        }
        return new ChunkTiming(CodecName(streamType), first / ClockHz, (last - first + frameTicks) / ClockHz, frames.Count);
    }

    /// <summary>ffmpeg's name for a video stream type; null for types that are not video we follow.</summary>
    public static string? VideoCodec(byte streamType) => streamType switch
    {
        0x01 => "mpeg1video",
        0x02 => "mpeg2video",
        0x10 => "mpeg4",
        0x1B => "h264",
        0x24 => "hevc",
        0x33 => "vvc",
        0x42 => "cavs",
        0xD1 => "dirac",
        0xEA => "vc1",
        _ => null,
    };

    private static string CodecName(byte streamType) => VideoCodec(streamType) ?? "unknown";

    /// <summary>The PAT's first program's PMT, then that program's first video stream.</summary>
    private static (int Pid, byte StreamType) FindVideoStream(ReadOnlySpan<byte> ts, string what)
    {
        var pat = new SectionAssembler(0);
        SectionAssembler? pmt = null;
        for (var offset = 0; offset < ts.Length; offset += PacketSize)
        {
            var packet = ts.Slice(offset, PacketSize);
            if (!TryPayload(packet, offset, what, out var pid, out var unitStart, out var payload)) continue;
            if (pid == 0 && pmt is null && pat.Add(payload, unitStart) is { } patSection)
            {
                if (PmtPid(patSection, what) is { } pmtPid) pmt = new SectionAssembler(pmtPid);
            }
            else if (pmt is not null && pid == pmt.Pid && pmt.Add(payload, unitStart) is { } pmtSection)
            {
                return VideoEntry(pmtSection, what)
                    ?? throw new MediaException($"{what} has no video stream (its PMT on PID {pmt.Pid} lists none of a known video type).");
            }
        }
        throw new MediaException(pmt is null
            ? $"{what} has no readable program association table: not MPEG-TS video."
            : $"{what} has no readable program map table (PID {pmt.Pid}): not MPEG-TS video.");
    }

    /// <summary>PTS (DTS when a PES has none) of each PES packet on <paramref name="pid"/>, unwrapped, in stream order.</summary>
    private static List<long> ReadPresentationTimes(ReadOnlySpan<byte> ts, int pid, string what)
    {
        var times = new List<long>(ts.Length / PacketSize / 4);
        // The fixed PES header (9 bytes) plus PTS and DTS (10): kept until complete, since a PUSI packet whose
        // adaptation field is mostly stuffing may carry only part of it.
        Span<byte> header = stackalloc byte[19];
        var headerLength = 0;
        var collecting = false;
        long? reference = null;
        for (var offset = 0; offset < ts.Length; offset += PacketSize)
        {
            var packet = ts.Slice(offset, PacketSize);
            if (!TryPayload(packet, offset, what, out var packetPid, out var unitStart, out var payload) || packetPid != pid) continue;
            if ((packet[3] >> 6) != 0) throw new MediaException($"{what} is scrambled (PID {pid}, byte {offset}).");
            if (unitStart)
            {
                if (collecting) Finish(header[..headerLength]);
                headerLength = 0;
                collecting = true;
            }
            if (!collecting) continue; // the tail of a PES that began before this chunk
            var take = Math.Min(payload.Length, header.Length - headerLength);
            payload[..take].CopyTo(header[headerLength..]);
            headerLength += take;
            if (headerLength >= 9 && headerLength >= 9 + Math.Min(header[8], (byte)10))
            {
                Finish(header[..headerLength]);
                collecting = false;
            }
        }
        if (collecting) Finish(header[..headerLength]);
        return times;

        void Finish(ReadOnlySpan<byte> pes)
        {
            if (pes.Length < 9 || pes[0] != 0 || pes[1] != 0 || pes[2] != 1)
                throw new MediaException($"{what} has a video PES packet without its start code (PID {pid}).");
            // Stream ids whose PES carries no optional header (2.4.3.7): padding, private 2, ECM/EMM, DSM-CC, H.222.1 E, directory.
            if (pes[3] is 0xBC or 0xBE or 0xBF or 0xF0 or 0xF1 or 0xF2 or 0xF8 or 0xFF) return;
            if ((pes[6] & 0xC0) != 0x80) throw new MediaException($"{what} has a video PES header of unknown syntax (PID {pid}).");
            var flags = pes[7] >> 6;
            var length = pes[8];
            if (flags == 1) throw new MediaException($"{what} has a video PES packet with a DTS but no PTS (PID {pid}).");
            if (flags == 0) return; // untimed: ffprobe would not count it either
            if (length < (flags == 3 ? 10 : 5) || pes.Length < 9 + (flags == 3 ? 10 : 5))
                throw new MediaException($"{what} has a truncated video PES header (PID {pid}).");
            var pts = Unwrap(Timestamp(pes[9..14]), reference);
            reference = pts;
            times.Add(pts);
        }
    }

    /// <summary>
    /// The typical frame step: the median of the steps between consecutive presentation times in display order
    /// (robust to a dropped frame; B-frames are sorted back into place first). Null for a single frame.
    /// </summary>
    private static double? FrameTicks(List<long> times)
    {
        if (times.Count < 2) return null;
        var sorted = times.ToArray();
        Array.Sort(sorted);
        var steps = new List<long>(sorted.Length - 1);
        for (var i = 1; i < sorted.Length; i++)
            if (sorted[i] > sorted[i - 1]) steps.Add(sorted[i] - sorted[i - 1]);
        if (steps.Count == 0) return null;
        steps.Sort();
        return steps[steps.Count / 2];
    }

    /// <summary>The 33-bit value nearest the previous one (consecutive frames are far less than 13 h apart).</summary>
    private static long Unwrap(long raw, long? reference)
    {
        if (reference is not { } r) return raw;
        var delta = ((raw - r) % Wrap + Wrap) % Wrap;
        if (delta >= Wrap / 2) delta -= Wrap;
        return r + delta;
    }

    /// <summary>A 33-bit PTS/DTS from its 5 bytes: 3 + 15 + 15 bits, each group followed by a marker bit.</summary>
    private static long Timestamp(ReadOnlySpan<byte> b) =>
        ((long)(b[0] >> 1 & 0x07) << 30) | ((long)b[1] << 22) | ((long)(b[2] >> 1) << 15) | ((long)b[3] << 7) | ((long)b[4] >> 1);

    /// <summary>
    /// Checks a transport packet's header and gives its payload (false for packets without one: null packets,
    /// adaptation-only packets). Lost sync, a transport error or a bad adaptation field length is malformed input.
    /// </summary>
    private static bool TryPayload(ReadOnlySpan<byte> packet, int offset, string what, out int pid, out bool unitStart, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        if (packet[0] != SyncByte)
            throw new MediaException(string.Create(CultureInfo.InvariantCulture,
                $"{what} lost MPEG-TS sync at byte {offset} (0x{packet[0]:X2} where 0x47 belongs): not MPEG-TS or corrupt."));
        if ((packet[1] & 0x80) != 0)
            throw new MediaException(string.Create(CultureInfo.InvariantCulture, $"{what} has a transport error flagged at byte {offset}."));
        unitStart = (packet[1] & 0x40) != 0;
        pid = ((packet[1] & 0x1F) << 8) | packet[2];
        var control = (packet[3] >> 4) & 0x03;
        if (pid == 0x1FFF || (control & 0x01) == 0) return false;
        var start = 4;
        if ((control & 0x02) != 0)
        {
            start = 5 + packet[4];
            if (start > PacketSize)
                throw new MediaException(string.Create(CultureInfo.InvariantCulture, $"{what} has an adaptation field longer than its packet at byte {offset}."));
        }
        payload = packet[start..];
        return true;
    }

    private static int? PmtPid(byte[] section, string what)
    {
        if (section[0] != 0x00) throw new MediaException($"{what} has a PAT with table id 0x{section[0]:X2}.");
        for (var i = 8; i + 4 <= section.Length - 4; i += 4)
        {
            var program = (section[i] << 8) | section[i + 1];
            if (program != 0) return ((section[i + 2] & 0x1F) << 8) | section[i + 3];
        }
        return null;
    }

    private static (int Pid, byte StreamType)? VideoEntry(byte[] section, string what)
    {
        if (section[0] != 0x02 || section.Length < 16) throw new MediaException($"{what} has a malformed PMT.");
        var i = 12 + (((section[10] & 0x0F) << 8) | section[11]);
        while (i + 5 <= section.Length - 4)
        {
            var type = section[i];
            var pid = ((section[i + 1] & 0x1F) << 8) | section[i + 2];
            if (VideoCodec(type) is not null) return (pid, type);
            i += 5 + (((section[i + 3] & 0x0F) << 8) | section[i + 4]);
        }
        return null;
    }

    /// <summary>
    /// Collects one PSI section of a PID across packets (pointer field, section_length) and yields it once whole and
    /// its CRC-32 checks; a section that fails the check is dropped and the next repetition is awaited.
    /// </summary>
    private sealed class SectionAssembler(int pid)
    {
        private readonly List<byte> _bytes = [];
        private bool _started;

        public int Pid { get; } = pid;

        public byte[]? Add(ReadOnlySpan<byte> payload, bool unitStart)
        {
            if (unitStart)
            {
                if (payload.IsEmpty || 1 + payload[0] > payload.Length) return Reset();
                _bytes.Clear();
                _started = true;
                payload = payload[(1 + payload[0])..];
            }
            if (!_started) return null;
            foreach (var b in payload) _bytes.Add(b);
            if (_bytes.Count < 3) return null;
            var total = 3 + (((_bytes[1] & 0x0F) << 8) | _bytes[2]);
            if (total < 12) return Reset(); // too short for the header and CRC of a PAT or PMT
            if (_bytes.Count < total) return null;
            var section = _bytes.GetRange(0, total).ToArray();
            Reset();
            return Crc32(section) == 0 ? section : null;
        }

        private byte[]? Reset()
        {
            _bytes.Clear();
            _started = false;
            return null;
        }
    }

    /// <summary>CRC-32/MPEG-2 (polynomial 0x04C11DB7, no reflection, no final xor); over a whole section including its CRC it is 0.</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= (uint)b << 24;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 0x80000000u) != 0 ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
        }
        return crc;
    }
}
