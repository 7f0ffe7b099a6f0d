"""Server-rendered web pages under /ui/: sign-in, coordination figures, deadlines, referrals, the agency queue."""
