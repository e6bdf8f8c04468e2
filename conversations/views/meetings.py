"""A meeting's prep card, loaded on demand (the home page lists several meetings)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import render
from django.views import View

from ..calendars.selectors import meeting_for_user
from ..prep import meeting_prep


class MeetingPrepView(LoginRequiredMixin, View):
    def get(self, request, pk: int):
        meeting = meeting_for_user(user=request.user, pk=pk)
        if meeting is None:
            raise Http404
        context = {"meeting": meeting, "prep": meeting_prep(account=meeting.account)}
        return render(request, "conversations/partials/prep_card.html", context)
